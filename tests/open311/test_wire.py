"""The wire formats and argument reading, without a database."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.entrypoints.open311.errors import Open311Error
from hotline.entrypoints.open311.params import Params, decode_form, parse_w3c
from hotline.entrypoints.open311.wire import format_of_path, to_json, to_xml
from hotline.services.open311.catalog import Attribute
from hotline.services.open311.filing import answers, caller_name
from hotline.services.open311.views import open311_status, w3c

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_lists_become_containers_of_item_tags_and_root_arrays_in_json() -> None:
    document = [{"service_code": "E0101", "metadata": True, "group": None}]
    root = ET.fromstring(to_xml("services", document))
    assert [child.tag for child in root] == ["service"]
    assert [(c.tag, c.text) for c in root[0]] == [
        ("service_code", "E0101"),
        ("metadata", "true"),
        ("group", None),
    ]
    assert json.loads(to_json(document)) == document  # Spark: the root element is dropped


def test_nested_lists_use_their_own_item_tags() -> None:
    document = {"service_code": "X", "attributes": [{"code": "Q1", "values": [{"key": "a"}]}]}
    root = ET.fromstring(to_xml("service_definition", document))
    assert root.find("attributes/attribute/values/value/key") is not None


def test_characters_xml_cannot_carry_are_dropped_and_the_rest_kept() -> None:
    text = "噪音\x00\x0b扰民\t\n😀 <b>&"
    root = ET.fromstring(to_xml("errors", [{"code": 400, "description": text}]))
    assert root[0][1].text == "噪音扰民\t\n😀 <b>&"


def test_json_writes_chinese_as_characters() -> None:
    assert to_json({"group": "市容环境"}) == '{"group":"市容环境"}'.encode()


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("/requests.json", "json"),
        ("/requests.xml", "xml"),
        ("/requests.html", "xml"),
        ("/requests", "xml"),
        ("/requests/20261124-000001.json", "json"),
    ],
)
def test_error_format_follows_the_path(path: str, fmt: str) -> None:
    assert format_of_path(path) == fmt


def test_params_treat_empty_as_absent_and_split_lists() -> None:
    params = Params([("status", ""), ("status", "open, closed"), ("status", "open"), ("x", " ")])
    assert params.listed("status") == ("open", "closed")
    assert params.text("x") is None and params.boolean("extensions") is False
    assert params.integer("page") is None


def test_attribute_multi_values() -> None:
    pairs = [
        ("attribute[WHISPAWN]", "123456"),
        ("attribute[CARS][]", "ford"),
        ("attribute[CARS][]", "chrysler"),
        ("attribute[EMPTY]", ""),
        ("attribute", "x"),
    ]
    assert Params(pairs).attributes() == {"WHISPAWN": ("123456",), "CARS": ("ford", "chrysler")}


def test_multivaluelist_answers() -> None:
    cars = Attribute(
        "CARS", "品牌", 1, "multivaluelist", values=(("ford", "福特"), ("bmw", "宝马"))
    )
    assert answers([cars], {"CARS": ("ford", "bmw")}) == ["【品牌】ford、bmw"]
    with pytest.raises(Exception, match="unknown value"):
        answers([cars], {"CARS": ("tesla",)})
    required = Attribute("Q1", "施工单位", 1, required=True)
    with pytest.raises(Exception, match="required"):
        answers([required], {})


def test_form_decoding() -> None:
    body = b"description=%E5%9E%83%E5%9C%BE&a=1"
    assert decode_form(body, "application/x-www-form-urlencoded; charset=UTF-8", 10) == [
        ("description", "垃圾"),
        ("a", "1"),
    ]
    assert decode_form(body, None, 10)[0] == ("description", "垃圾")
    with pytest.raises(Open311Error):
        decode_form(body, "multipart/form-data; boundary=x", 10)
    with pytest.raises(Open311Error):
        decode_form(body, None, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01T08:00:00+08:00", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01T08:00+08:00", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01T00:00:00.123Z", datetime(2010, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)),
        ("2010-01-01T08:00:00 08:00", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01", datetime(2010, 1, 1, tzinfo=SHANGHAI)),
    ],
)
def test_w3c_dates(value: str, expected: datetime) -> None:
    assert parse_w3c("start_date", value, SHANGHAI) == expected


def test_dates_are_written_with_their_offset() -> None:
    moment = datetime(2026, 11, 24, 2, 0, 0, 999, tzinfo=UTC)
    assert w3c(moment, SHANGHAI) == "2026-11-24T10:00:00+08:00"
    assert w3c(None, SHANGHAI) is None


@pytest.mark.parametrize(
    ("status", "public"),
    [
        ("received", "open"),
        ("dispatched", "open"),
        ("replied", "open"),
        ("callback_pending", "open"),
        ("closed", "closed"),
        ("answered_directly", "closed"),
        ("void", "closed"),
    ],
)
def test_status_mapping(status: str, public: str) -> None:
    assert open311_status(status) == public


def test_names_follow_their_script() -> None:
    assert caller_name("三丰", "张") == "张三丰"
    assert caller_name("John", "Smith") == "John Smith"
    assert caller_name(None, "  ") is None
