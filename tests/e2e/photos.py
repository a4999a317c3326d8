"""Photos for the browser tests, made by the browser itself: a canvas drawn and encoded as a JPEG
the size a phone camera takes, so that the pages' shrinking to 2 MP has something to shrink."""

from __future__ import annotations

import base64
import struct

from playwright.sync_api import FilePayload, Page

CAMERA = (2400, 1800)  # 4.3 MP: more than a page may send


def camera_photo(page: Page, colour: str) -> FilePayload:
    """A JPEG as a phone camera makes one, drawn by the browser; ready for set_input_files."""
    data_url: str = page.evaluate(
        """([w, h, colour]) => {
            const canvas = document.createElement('canvas')
            canvas.width = w; canvas.height = h
            const g = canvas.getContext('2d')
            g.fillStyle = colour; g.fillRect(0, 0, w, h)
            g.fillStyle = '#fff'; g.fillRect(w / 4, h / 4, w / 2, h / 2)
            return canvas.toDataURL('image/jpeg', 0.9)
        }""",
        [*CAMERA, colour],
    )
    payload = base64.b64decode(data_url.split(",", 1)[1])
    return FilePayload(name=f"现场-{colour.strip('#')}.jpg", mimeType="image/jpeg", buffer=payload)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(data):
        marker, length = struct.unpack(">HH", data[at : at + 4])
        if marker in (0xFFC0, 0xFFC1, 0xFFC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame header in the JPEG")
