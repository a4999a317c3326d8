"""Phone and ID-card numbers inside free text never reach the public."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.services.open311.redaction import ID_MASK, LANDLINE_MASK, MOBILE_MASK, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请联系我13812345678谢谢", f"请联系我{MOBILE_MASK}谢谢"),
        ("手机 138-1234-5678", f"手机 {MOBILE_MASK}"),
        ("手机+86 139 1234 5678。", f"手机{MOBILE_MASK}。"),
        ("号码8613912345678", f"号码{MOBILE_MASK}"),
        ("１３８１２３４５６７８（全角）", f"{MOBILE_MASK}（全角）"),
        ("电话0531-88889999", f"电话{LANDLINE_MASK}"),
        ("(0531)88889999转123", LANDLINE_MASK),
        ("（０５３１）８８８８９９９９", LANDLINE_MASK),
        ("010 6512 3456", LANDLINE_MASK),
        ("座机86012345", f"座机{LANDLINE_MASK}"),
        ("联系电话：8601234", f"联系电话：{LANDLINE_MASK}"),
        ("身份证370102199001011234", f"身份证{ID_MASK}"),
        ("身份证号 37010219900101123X 已提供", f"身份证号 {ID_MASK} 已提供"),
        ("370102 19900101 123x", ID_MASK),
    ],
)
def test_numbers_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "请拨打 12345 或 12319 热线，报警 110",
        "小区 12 号楼 3 单元 501 室",
        "罚款 2000000 元，面积 86012345 平方米",  # 7–8 digits without a telephone word
        "订单 2023123456789012345（19 位）",
        "12812345678 不是手机号（第二位是 2）",
        "身份证 370102199013011234（13 月）",
        "时间 2026-11-24 08:30",
        "",
    ],
)
def test_other_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_none_stays_none() -> None:
    assert redact(None) is None


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z", fullmatch=True)
prose = st.text(alphabet=st.sampled_from("城管热线夜间施工噪音扰民，。 abc"), max_size=20)


@given(before=prose, number=mobiles, after=prose)
def test_an_embedded_mobile_never_survives(before: str, number: str, after: str) -> None:
    redacted = redact(before + number + after) or ""
    assert number not in redacted
    assert MOBILE_MASK in redacted


@given(st.text(max_size=60))
def test_redaction_is_idempotent_and_keeps_text_without_digits(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    if not any(ch.isdigit() for ch in text):
        assert once == text
