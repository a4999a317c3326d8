"""Attachments: upload, list, download, under the case's access rules; size and type limits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from hotline.services.context import Hotline
from tests.web.conftest import Api, assert_problem, invalid_names

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + b"0" * 100


def _upload(
    api: Api,
    number: str,
    user: str = "lx-h",
    *,
    kind: str = "before",
    name: str = "现场.png",
    content: bytes = PNG,
    content_type: str = "image/png",
) -> httpx.Response:
    return api.request(
        "POST",
        f"/api/v1/cases/{number}/attachments",
        user,
        data={"kind": kind},
        files={"file": (name, content, content_type)},
    )


@pytest.fixture
def number(api: Api) -> str:
    case_number: str = api.create()["number"]
    api.to_dispatched(case_number)
    return case_number


def test_upload_list_and_download(api: Api, number: str, hotline: Hotline) -> None:
    version = api.case(number)["version"]
    response = _upload(api, number)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["kind"], stored["filename"], stored["size"]) == ("before", "现场.png", len(PNG))
    assert stored["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert response.headers["location"] == stored["download_url"]
    listed = api.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"]
    assert [item["id"] for item in listed] == [stored["id"]]
    download = api.request("GET", stored["download_url"], "disp")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png" in download.headers["content-disposition"]
    case = api.case(number)
    assert case["version"] > version  # the case changed: a new ETag
    assert case["history"][-1]["action"] == "attach"
    files = [p for p in hotline.settings.resolved_attachment_dir.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [stored["sha256"]]


def test_the_clients_file_name_is_never_a_path(api: Api, number: str, hotline: Hotline) -> None:
    response = _upload(
        api,
        number,
        name="../../etc/passwd.pdf",
        content=PDF,
        kind="document",
        content_type="application/pdf",
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "passwd.pdf"
    root = hotline.settings.resolved_attachment_dir
    assert all(p.resolve().is_relative_to(root.resolve()) for p in root.rglob("*"))
    assert not (Path(root).parent.parent / "etc").exists()


def test_oversize_upload_is_413(api: Api, number: str, hotline: Hotline) -> None:
    hotline.settings.attachment_max_bytes = 1024
    assert_problem(_upload(api, number, content=PNG + b"0"), 413, "attachment_too_large")
    assert api.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"] == []


def test_oversize_upload_is_refused_before_reading_by_its_length(api: Api, number: str) -> None:
    big = b"\x89PNG\r\n\x1a\n" + b"0" * (api.hotline.settings.attachment_max_bytes + 70_000)
    assert_problem(_upload(api, number, content=big), 413, "attachment_too_large")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"MZ\x90\x00 an executable", "application/octet-stream"),
        (b"<html><script>alert(1)</script>", "image/png"),  # claims PNG, is not
        (b"GIF89a....", "image/gif"),  # a real GIF, but not an allowed type
    ],
)
def test_wrong_type_is_415(api: Api, number: str, content: bytes, content_type: str) -> None:
    response = _upload(api, number, content=content, content_type=content_type)
    assert_problem(response, 415, "unsupported_media_type")


def test_bad_kind_and_missing_file_are_422(api: Api, number: str) -> None:
    assert invalid_names(_upload(api, number, kind="selfie")) == {"kind"}
    url = f"/api/v1/cases/{number}/attachments"
    assert "file" in invalid_names(api.request("POST", url, "lx-h", data={"kind": "after"}))
    assert_problem(_upload(api, number, content=b""), 422)


def test_attachments_follow_the_case_scope_and_roles(api: Api, number: str) -> None:
    stored = _upload(api, number).json()
    assert_problem(_upload(api, number, "qcl-h"), 404)
    assert_problem(api.request("GET", stored["download_url"], "qcl-h"), 404)
    assert_problem(_upload(api, number, "lead"), 403, "forbidden")
    assert api.request("GET", stored["download_url"], "lead").status_code == 200
    other = api.create()["number"]
    assert_problem(
        api.request("GET", f"/api/v1/cases/{other}/attachments/{stored['id']}", "disp"), 404
    )
