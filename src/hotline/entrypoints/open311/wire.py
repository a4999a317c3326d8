"""The two wire formats: XML (required by the spec) and JSON by the Spark convention.

A document is plain dicts and lists. In XML a list is a container element whose children all
carry the container's item tag (``services`` → ``service``); in JSON (Spark) the same list is an
array, and a list at the root drops the root element altogether, as the spec's examples show.
Every response is UTF-8 with the charset in its Content-Type; XML starts with its declaration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from starlette.responses import Response

XML_MEDIA_TYPE = "text/xml; charset=utf-8"
JSON_MEDIA_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
FORMATS = ("xml", "json")

# Container element → the tag of each of its items.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "service_request_updates": "request_update",
}
# Characters XML 1.0 cannot carry at all (control characters other than tab, CR, LF): a pasted
# complaint may hold them, and one would make the whole document unparsable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: Element, tag: str, value: Any) -> None:
    element = SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: Element, tag: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, ITEM_TAGS[tag], item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = Element(root)
    _fill(element, root, document)
    return (XML_DECLARATION + tostring(element, encoding="unicode")).encode("utf-8")


def to_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(
    fmt: str,
    root: str,
    document: Any,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The document as the requested format (``xml`` or ``json``)."""
    if fmt == "json":
        body, media_type = to_json(document), JSON_MEDIA_TYPE
    else:
        body, media_type = to_xml(root, document), XML_MEDIA_TYPE
    return Response(body, status_code=status, media_type=media_type, headers=dict(headers or {}))


def errors_document(status: int, *descriptions: str) -> list[dict[str, Any]]:
    """The spec's errors array; the code is the HTTP status, as the spec suggests."""
    return [{"code": status, "description": text} for text in descriptions]


def format_of_path(path: str) -> str:
    """The format a path asks for; XML (the required one) when it asks for none we know."""
    suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return suffix if suffix in FORMATS else "xml"
