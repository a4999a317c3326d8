"""discovery, services and services/{service_code}: contract per format, and their errors."""

from __future__ import annotations

import pytest

from hotline.services.open311 import Open311Settings
from tests.open311.conftest import (
    ATTRIBUTE_FIELDS,
    DEFINITION_FIELDS,
    DISCOVERY_FIELDS,
    ENDPOINT_FIELDS,
    SERVICE_FIELDS,
    ClientFactory,
    Open311Client,
    assert_errors,
    child_tags,
    parse_json,
    parse_xml,
    text_of,
)


def test_discovery_xml(o311: Open311Client) -> None:
    root = parse_xml(o311.get("discovery.xml"), "discovery")
    assert child_tags(root) == DISCOVERY_FIELDS
    endpoints = root.find("endpoints")
    assert endpoints is not None and child_tags(endpoints) == ["endpoint"]
    endpoint = endpoints[0]
    assert child_tags(endpoint) == ENDPOINT_FIELDS
    assert text_of(endpoint, "specification") == "http://wiki.open311.org/GeoReport_v2"
    assert text_of(endpoint, "url") == "http://testserver/open311/v2"
    assert text_of(endpoint, "type") == "production"
    formats = endpoint.find("formats")
    assert formats is not None
    assert [f.text for f in formats.findall("format")] == ["text/xml", "application/json"]


def test_discovery_json_is_the_spark_mapping_of_the_xml(o311: Open311Client) -> None:
    body = parse_json(o311.get("discovery.json"))
    assert list(body) == DISCOVERY_FIELDS
    assert list(body["endpoints"][0]) == ENDPOINT_FIELDS
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert body["changeset"] == Open311Settings().changeset


def test_discovery_url_can_be_configured_for_a_proxy(make_client: ClientFactory) -> None:
    client = make_client(base_url="https://12319.jinan.gov.cn/open311/v2/")
    body = parse_json(client.get("discovery.json"))
    assert body["endpoints"][0]["url"] == "https://12319.jinan.gov.cn/open311/v2"


def test_services_xml_lists_every_active_minor_category(o311: Open311Client) -> None:
    root = parse_xml(o311.get("services.xml"), "services")
    assert set(child_tags(root)) == {"service"}
    by_code = {text_of(s, "service_code"): s for s in root}
    assert all(child_tags(service) == SERVICE_FIELDS for service in root)
    noise = by_code["E0301"]
    assert text_of(noise, "service_name") == "夜间施工噪音"
    assert text_of(noise, "group") == "施工管理"  # the 大类
    assert text_of(noise, "keywords") == "施工, 噪音, 夜间, 扰民"
    assert text_of(noise, "metadata") == "true"  # it has 立案条件 questions
    assert text_of(noise, "type") == "realtime"
    assert "2 个工作日内答复" in (text_of(noise, "description") or "")
    assert text_of(by_code["E0102"], "metadata") == "false"  # no questions
    assert "E03" not in by_code and "E" not in by_code  # types and majors are no services


def test_services_json(o311: Open311Client) -> None:
    body = parse_json(o311.get("services.json"))
    assert all(list(service) == SERVICE_FIELDS for service in body)
    noise = next(s for s in body if s["service_code"] == "E0301")
    assert noise["metadata"] is True and noise["group"] == "施工管理"
    codes = [service["service_code"] for service in body]
    assert codes == sorted(codes)


def test_service_definition_from_the_category_questions(o311: Open311Client) -> None:
    root = parse_xml(o311.get("services/E0301.xml"), "service_definition")
    assert child_tags(root) == DEFINITION_FIELDS
    assert text_of(root, "service_code") == "E0301"
    attributes = root.find("attributes")
    assert attributes is not None and set(child_tags(attributes)) == {"attribute"}
    first, second = list(attributes)
    assert child_tags(first) == ATTRIBUTE_FIELDS
    assert [text_of(a, "code") for a in (first, second)] == ["Q1", "Q2"]
    assert [text_of(a, "description") for a in (first, second)] == ["施工单位", "发生时段"]
    assert [text_of(a, "order") for a in (first, second)] == ["1", "2"]
    assert text_of(first, "variable") == "true" and text_of(first, "required") == "false"
    assert text_of(first, "datatype") == "text"


def test_service_definition_json(o311: Open311Client) -> None:
    body = parse_json(o311.get("services/E0301.json"))
    assert list(body) == DEFINITION_FIELDS
    attribute = body["attributes"][0]
    assert list(attribute) == ATTRIBUTE_FIELDS
    assert attribute["required"] is False and attribute["order"] == 1
    assert attribute["datatype_description"] is None and attribute["values"] == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("code", ["NOPE", "E03", "E"])
def test_unknown_service_code_is_404(o311: Open311Client, fmt: str, code: str) -> None:
    (description,) = assert_errors(o311.get(f"services/{code}.{fmt}"), 404, fmt)
    assert code in description


def test_jurisdiction_id_is_checked_only_when_configured(make_client: ClientFactory) -> None:
    open_client = make_client()
    assert open_client.get("services.xml", jurisdiction_id="anything").status_code == 200
    client = make_client(jurisdiction_id="jinan.gov.cn")
    assert client.get("services.json", jurisdiction_id="jinan.gov.cn").status_code == 200
    assert client.get("services.json").status_code == 200
    assert client.get("services.json", jurisdiction_id="").status_code == 200  # empty: absent
    assert_errors(client.get("services.json", jurisdiction_id="qingdao.gov.cn"), 404, "json")


def test_unsupported_format_and_unknown_path(o311: Open311Client) -> None:
    assert_errors(o311.get("services.html"), 400)
    assert_errors(o311.get("nothing.json"), 404, "json")
    assert_errors(o311.get("services"), 404)
