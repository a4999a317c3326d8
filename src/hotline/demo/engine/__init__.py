"""The synthetic data generator's parts: working clock, vocabulary, timeline, case lifecycle,
row writers. ``bench/generate.py`` is the command that puts them together."""
