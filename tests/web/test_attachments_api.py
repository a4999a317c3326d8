"""Attachments: upload (one or several files, with where and when a photo was taken), list,
download, under the case's access rules; size and type limits."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.services.context import Hotline
from tests.jpeg import jpeg_with_exif
from tests.web.conftest import Api, assert_problem, invalid_names

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + b"0" * 100
# A 1920 × 1080 (≈ 2 MP) street photo as a phone's browser encodes it (JPEG, quality 0.9) is
# about 0.6–1.5 MB; the server reads the type and EXIF, not the pixels, so noise of the upper size
# behind a real EXIF block stands in for one.
PHOTO_BYTES = 1_500_000


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


def _photo(taken: str = "2026:11:24 10:05:00", size: int = PHOTO_BYTES) -> bytes:
    head = jpeg_with_exif(taken, "+08:00")
    return head[:-2] + os.urandom(size - len(head)) + b"\xff\xd9"


def _upload_many(
    api: Api, number: str, files: list[tuple[str, bytes]], user: str = "lx-h", **form: Any
) -> httpx.Response:
    return api.request(
        "POST",
        f"/api/v1/cases/{number}/attachments",
        user,
        data={"kind": "after", **form},
        files=[("file", (name, content, "image/jpeg")) for name, content in files],
    )


def test_upload_list_and_download(api: Api, number: str, hotline: Hotline) -> None:
    version = api.case(number)["version"]
    response = _upload(api, number)
    assert response.status_code == 201, response.text
    [stored] = response.json()["items"]
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
    assert response.json()["items"][0]["filename"] == "passwd.pdf"
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
    [stored] = _upload(api, number).json()["items"]
    assert_problem(_upload(api, number, "qcl-h"), 404)
    assert_problem(api.request("GET", stored["download_url"], "qcl-h"), 404)
    assert_problem(_upload(api, number, "lead"), 403, "forbidden")
    assert api.request("GET", stored["download_url"], "lead").status_code == 200
    other = api.create()["number"]
    assert_problem(
        api.request("GET", f"/api/v1/cases/{other}/attachments/{stored['id']}", "disp"), 404
    )


def test_a_reply_s_two_photos_go_up_in_one_request_with_their_places(api: Api, number: str) -> None:
    """The phone's reply: two ≈ 2 MP photos, each with its position and capture time, one
    request; the camera's EXIF time is read from each file."""
    first, second = _photo("2026:11:24 10:05:00"), _photo("2026:11:24 10:07:30")
    response = _upload_many(
        api,
        number,
        [("处置后1.jpg", first), ("处置后2.jpg", second)],
        longitude=["117.0211", "117.0213"],
        latitude=["36.6652", "36.6654"],
        accuracy="8.5",
        captured_at=["2026-11-24T10:05:01+08:00", "2026-11-24T10:07:31+08:00"],
    )
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [(i["filename"], i["size"], i["kind"]) for i in items] == [
        ("处置后1.jpg", len(first), "after"),
        ("处置后2.jpg", len(second), "after"),
    ]
    assert [(i["longitude"], i["latitude"], i["accuracy_m"]) for i in items] == [
        (117.0211, 36.6652, 8.5),
        (117.0213, 36.6654, 8.5),
    ]
    assert [i["captured_at"] for i in items] == [
        "2026-11-24T02:05:01+00:00",
        "2026-11-24T02:07:31+00:00",
    ]
    assert [i["exif_taken_at"] for i in items] == [
        "2026-11-24T02:05:00+00:00",
        "2026-11-24T02:07:30+00:00",
    ]
    assert response.headers["location"] == items[0]["download_url"]
    listed = api.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"]
    assert listed == items
    attached = [e for e in api.case(number)["history"] if e["action"] == "attach"]
    assert [e["details"]["longitude"] for e in attached] == [117.0211, 117.0213]


def test_a_capture_time_without_offset_is_the_city_s_local_time(api: Api, number: str) -> None:
    response = _upload_many(
        api, number, [("a.jpg", _photo(size=4096))], captured_at="2026-11-24T10:05:00"
    )
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["captured_at"] == "2026-11-24T02:05:00+00:00"


def test_a_photo_without_exif_or_place_keeps_none(api: Api, number: str) -> None:
    [item] = _upload(api, number).json()["items"]
    assert {k: item[k] for k in ("longitude", "latitude", "accuracy_m", "captured_at")} == {
        "longitude": None,
        "latitude": None,
        "accuracy_m": None,
        "captured_at": None,
    }
    assert item["exif_taken_at"] is None
    broken = b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00II*\x00\xff\xff\xff\x7f" + b"\x00" * 80
    response = _upload_many(api, number, [("broken.jpg", broken)])
    assert response.status_code == 201, response.text  # a broken EXIF block: time unknown
    assert response.json()["items"][0]["exif_taken_at"] is None


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"latitude": "36.66"}, "longitude"),
        ({"longitude": "117.02", "latitude": "91"}, "latitude"),
        ({"longitude": "117.02", "latitude": "36.66", "accuracy": "-3"}, "accuracy"),
        ({"longitude": ["117.02", "117.03", "117.04"], "latitude": "36.66"}, "longitude"),
        ({"longitude": "东经117度", "latitude": "36.66"}, "longitude"),
        ({"captured_at": "2026-11-24T18:00:00+08:00"}, "captured_at"),  # after the server's now
        ({"captured_at": "1999-12-31T10:00:00+08:00"}, "captured_at"),
    ],
)
def test_impossible_places_and_times_are_422_by_name(
    api: Api, number: str, form: dict[str, Any], field: str
) -> None:
    files = [("1.jpg", _photo(size=4096)), ("2.jpg", _photo(size=4096))]
    names = invalid_names(_upload_many(api, number, files, **form))
    assert {name.split(".")[0] for name in names} == {field}  # a list item: "longitude.0"
    assert api.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"] == []


def test_one_upload_is_capped_in_count_and_in_bytes_for_all_its_files(
    api: Api, number: str, hotline: Hotline
) -> None:
    eleven = [(f"{n}.jpg", _photo(size=2048)) for n in range(11)]
    assert invalid_names(_upload_many(api, number, eleven)) == {"file"}
    hotline.settings.attachment_max_bytes = 3 * 1024 * 1024
    three = [(f"{n}.jpg", _photo()) for n in range(3)]  # 4.5 MB in all, each under the limit
    refused = assert_problem(_upload_many(api, number, three), 413, "attachment_too_large")
    assert refused["detail"] == "一次上传的 3 个附件合计不能超过 3072 KB（3145728 字节）"
    assert api.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"] == []
    two = three[:2]  # 3.0 MB: fits
    assert _upload_many(api, number, two).status_code == 201


@pytest.mark.parametrize("coord_system", ["wgs84", "gcj02"])
def test_a_photo_says_how_far_from_the_case_it_was_taken(api: Api, coord_system: str) -> None:
    """The case's point in WGS-84 (a GCJ-02 map pick converted back), the photo 0.001° north of
    it: about 111 m. An inspector sees at once whether the photo was taken at the place."""
    from hotline.geo.crs import wgs84_to_gcj02

    here = (117.0211, 36.6652)
    sent = here if coord_system == "wgs84" else wgs84_to_gcj02(*here)
    number = api.create(lon=sent[0], lat=sent[1], coord_system=coord_system)["number"]
    api.to_dispatched(number)
    place = {"longitude": str(here[0]), "latitude": str(here[1] + 0.001), "accuracy": "5"}
    [item] = _upload_many(api, number, [("a.jpg", _photo(size=4096))], **place).json()["items"]
    assert item["distance_m"] == 111
    [unplaced] = _upload(api, number).json()["items"]
    assert unplaced["distance_m"] is None
