"""The pure domain: standard library only, no I/O, no clock reads (time comes in as ``now``)."""
