"""The Latin-word check the route crawl relies on."""

from __future__ import annotations

from tests.e2e.latin import latin_words


def test_chinese_text_with_codes_figures_and_units_passes() -> None:
    text = (
        "工单 20261124-000001 类别 E0301 周报 2026-W48 附件 512 KB 响应 80 ms"
        " 快捷键 Alt+5 Enter 提交 Alt+K 采用 Ctrl+Shift+Enter 答复"
    )
    assert latin_words(text) == []


def test_english_words_are_caught() -> None:
    assert latin_words("派遣 dispatched 给 unit") == ["dispatched", "unit"]
    assert latin_words("Go to 第 3 页") == ["Go", "to"]


def test_a_code_without_digits_is_a_word() -> None:
    assert latin_words("承办单位 LX-CGJ") == ["LX", "CGJ"]


def test_role_and_state_codes_are_caught() -> None:
    assert latin_words("operator · registered") == ["operator", "registered"]


def test_a_letter_alone_is_a_word_unless_it_is_a_shortcut() -> None:
    assert latin_words("按 K 采用") == ["K"]
    assert latin_words("按 Alt+K 采用") == []
