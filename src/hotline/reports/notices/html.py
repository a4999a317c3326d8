"""The HTML notice: Chinese, formal, one self-contained page; charts are inline SVG from
:mod:`svg` and there is no script anywhere, so the page survives being mailed."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from hotline.reports.notices.model import Chart, Notice, Table, format_value
from hotline.reports.notices.svg import chart_svg

CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (section numbers of a formal document)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (
        (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")
    )


def _svg(chart: Chart, table: Table) -> Markup:
    return Markup(chart_svg(chart, table))  # built from escaped text only


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hotline.reports.notices", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_number"] = cn_number
    env.globals.update(fmt=format_value, svg=_svg)
    return env


def render_html(notice: Notice) -> bytes:
    produced = notice.produced_at.strftime("%Y-%m-%d %H:%M")
    page = _environment().get_template("notice.html").render(notice=notice, produced=produced)
    return page.encode("utf-8")
