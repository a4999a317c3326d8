"""Every Open311 error reads in English; what a citizen may see carries the Chinese beside it."""

from __future__ import annotations

import re

from hotline.domain.errors import IllegalTransition, InvalidInput, NotFound
from hotline.entrypoints.open311.errors import bilingual
from tests.open311.conftest import Open311Client, assert_errors

CJK = re.compile(r"[\u4e00-\u9fff]")


def _english_then_chinese(message: str) -> None:
    assert message[:1].isascii() and message[:1].isalpha(), message
    english = message.split("（", 1)[0]
    assert not CJK.search(english.replace("济南市", "")), message
    assert CJK.search(message), message


def test_a_service_refusal_in_chinese_gets_english_first(
    o311: Open311Client, partner_key: str
) -> None:
    # The phone check lives in case intake, whose messages are Chinese for the workbench.
    [message] = assert_errors(o311.file(partner_key, phone="12"), 400, "json")
    _english_then_chinese(message)
    assert message.startswith("invalid value for phone（")


def test_citizen_facing_validation_is_bilingual(o311: Open311Client, partner_key: str) -> None:
    refusals = [
        o311.file(partner_key, lat=None, long=None, address_string=None),
        o311.file(partner_key, long=None),
        o311.file(partner_key, service_code=None),
        o311.file(partner_key, lat="40.7128", long="-74.0060"),
        o311.file(partner_key, description="噪" * 4001),
    ]
    for response in refusals:
        [message] = assert_errors(response, 400, "json")
        _english_then_chinese(message)


def test_unknown_request_is_english_and_chinese(o311: Open311Client) -> None:
    [message] = assert_errors(o311.get("requests/20260101-999999.json"), 404, "json")
    _english_then_chinese(message)


def test_bilingual_keeps_english_and_names_the_open311_field() -> None:
    assert bilingual(InvalidInput("page must be 1 or more")) == "page must be 1 or more"
    assert (
        bilingual(InvalidInput("经度超出范围", fields=("lon",)))
        == "invalid value for long（经度超出范围）"
    )
    assert bilingual(NotFound("未找到工单")) == "not found（未找到工单）"
    assert bilingual(IllegalTransition("已办结")).startswith("the request's current status")
