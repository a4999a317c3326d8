"""Open311 under test: the sub-application mounted on a bare FastAPI app, on the real test
database (SQLite, or PostgreSQL with HOTLINE_TEST_DATABASE_URL), with the fake clock."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hotline.entrypoints.open311 import MOUNT_PATH, create_open311_app
from hotline.services.context import Hotline
from hotline.services.open311 import Open311Settings, create_key
from tests.integration.helpers import new_case

BASE = MOUNT_PATH
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'

# Field names exactly as the GeoReport v2 spec (and mySociety's extension) spell them, in order.
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
DEFINITION_FIELDS = ["service_code", "attributes"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
POST_FIELDS = ["service_request_id", "service_notice", "account_id"]
TOKEN_FIELDS = ["service_request_id", "token"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
EXTENDED_FIELDS = [
    "channel",
    "detailed_status",
    "detailed_status_name",
    "district",
    "district_code",
    "duplicate",
    "parent_service_request_id",
]
NOTE_FIELDS = ["datetime", "description", "type"]
UPDATE_FIELDS = [
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
]
ERROR_FIELDS = ["code", "description"]


def parse_xml(response: httpx.Response, root: str) -> ET.Element:
    """The response is UTF-8 XML with its declaration, the right Content-Type and root."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8", response.headers
    assert response.content.startswith(XML_DECLARATION), response.content[:80]
    element = ET.fromstring(response.content)
    assert element.tag == root, element.tag
    return element


def parse_json(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def child_tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def text_of(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    assert found is not None, f"<{tag}> missing in <{element.tag}>"
    return found.text


def assert_errors(response: httpx.Response, status: int, fmt: str = "xml") -> list[str]:
    """The spec's errors array with the HTTP status; returns the descriptions."""
    assert response.status_code == status, response.text
    if fmt == "json":
        body = parse_json(response)
        assert isinstance(body, list) and body
        assert all(list(error) == ERROR_FIELDS and error["code"] == status for error in body)
        return [error["description"] for error in body]
    root = parse_xml(response, "errors")
    assert child_tags(root) and set(child_tags(root)) == {"error"}
    for error in root:
        assert child_tags(error) == ERROR_FIELDS
        assert text_of(error, "code") == str(status)
    return [text_of(error, "description") or "" for error in root]


@pytest.fixture
def open311_settings(tmp_path: Path) -> Open311Settings:
    # Keys are checked against the database on every request here (no cache), so revocation
    # shows at once; limits are generous unless a test tightens them.
    return Open311Settings(
        partners_file=tmp_path / "partners.json",
        auth_cache_seconds=0,
        rate_per_key_per_minute=10_000,
        rate_per_address_per_minute=10_000,
    )


@dataclass
class Open311Client:
    http: TestClient
    hotline: Hotline
    settings: Open311Settings

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(f"{BASE}/{path}", params=params)

    def post(self, path: str, data: Any, **kwargs: Any) -> httpx.Response:
        return self.http.post(f"{BASE}/{path}", data=data, **kwargs)

    def key(self, partner: str = "province", **options: Any) -> str:
        return create_key(self.hotline, self.settings, partner, self.hotline.now(), **options)

    def file(self, key: str, fmt: str = "json", **fields: Any) -> httpx.Response:
        data = {
            "api_key": key,
            "service_code": "E0301",
            "lat": "36.6512",
            "long": "117.1201",
            "address_string": "历下区泉城路 188 号",
            "description": "泉城路工地夜间施工噪音扰民",
            **fields,
        }
        return self.post(f"requests.{fmt}", {k: v for k, v in data.items() if v is not None})

    def filed_number(self, key: str, **fields: Any) -> str:
        response = self.file(key, **fields)
        assert response.status_code == 200, response.text
        number: str = response.json()[0]["service_request_id"]
        return number


ClientFactory = Callable[..., Open311Client]


@pytest.fixture
def make_client(hotline: Hotline, open311_settings: Open311Settings) -> Iterator[ClientFactory]:
    """A client over the sub-application mounted at /open311/v2 on a bare app; settings may
    be overridden per test."""
    opened: list[TestClient] = []

    def make(raise_server_exceptions: bool = True, **overrides: Any) -> Open311Client:
        settings = open311_settings.model_copy(update=overrides)
        app = FastAPI()
        app.mount(MOUNT_PATH, create_open311_app(hotline, settings))
        http = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        opened.append(http)
        return Open311Client(http, hotline, settings)

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def o311(make_client: ClientFactory) -> Open311Client:
    return make_client()


@pytest.fixture
def partner_key(o311: Open311Client) -> str:
    return o311.key()


def web_case(hotline: Hotline, actor: Any, **overrides: Any) -> str:
    """A case a citizen filed on the website (a public channel): Open311 publishes it. Phone
    cases are published only with the caller's consent (tests/open311/test_publication.py)."""
    return new_case(hotline, actor, **{"channel": "web", **overrides})
