"""A JPEG head with an EXIF block, built by hand (the project reads EXIF, never writes it)."""

from __future__ import annotations

import struct

EXIF_IFD_POINTER = 0x8769
DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
ASCII = 2
LONG = 4


def jpeg_with_exif(taken: str, offset: str | None = None) -> bytes:
    """SOI, an APP1 ``Exif`` segment whose EXIF IFD holds DateTimeOriginal (``2026:11:24
    10:05:00``) and, if given, OffsetTimeOriginal (``+08:00``), then EOI (little-endian TIFF)."""
    entries = [(DATE_TIME_ORIGINAL, taken.encode() + b"\0")]
    if offset is not None:
        entries.append((OFFSET_TIME_ORIGINAL, offset.encode() + b"\0"))
    exif_ifd_at = 8 + 2 + 12 + 4  # after the TIFF header and IFD0's one entry
    data_at = exif_ifd_at + 2 + 12 * len(entries) + 4
    exif_ifd, data = struct.pack("<H", len(entries)), b""
    for tag, value in entries:
        exif_ifd += struct.pack("<HHII", tag, ASCII, len(value), data_at + len(data))
        data += value
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", EXIF_IFD_POINTER, LONG, 1, exif_ifd_at)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + struct.pack("<I", 0)
    tiff += exif_ifd + struct.pack("<I", 0) + data
    app1 = b"Exif\0\0" + tiff
    return b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"
