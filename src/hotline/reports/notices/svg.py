"""Charts as inline SVG, written here (no script, no external file), so they survive mail clients:
horizontal bars for categories (Chinese names read best on the left), a polyline for a trend."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from hotline.reports.notices.model import Chart, Table, Value, format_value

PALETTE = ("#1f4e79", "#c0504d", "#6a8f3a", "#7a5c99")
FONT = "font-family=\"'SimSun','Songti SC',serif\" font-size=\"12\""
WIDTH, LABEL_W, VALUE_W = 680, 150, 70
BAR_H, GAP = 14, 10


def _number(value: Value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _legend(chart: Chart, table: Table, y: int) -> list[str]:
    parts, x = [], LABEL_W
    for index, key in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        label = escape(table.column(key).label)
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" {FONT}>{label}</text>')
        x += 30 + 14 * len(table.column(key).label)
    return parts


def _svg(chart: Chart, height: int, body: list[str]) -> str:
    title = escape(chart.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(chart.title)}>'
        f"<title>{title}</title>"
        f'<text x="{WIDTH // 2}" y="18" text-anchor="middle" {FONT} font-weight="bold">'
        f"{title}</text>" + "".join(body) + "</svg>"
    )


def _top(chart: Chart, table: Table) -> float:
    """The value of a full-length bar: 100 % for rates (so 85 % never looks like 100 %), else
    the largest value."""
    if all(table.column(key).kind == "percent" for key in chart.series):
        return 1.0
    values = (_number(r.get(k)) for r in table.body for k in chart.series)
    return max(values, default=0.0) or 1.0


def bar_chart(chart: Chart, table: Table) -> str:
    rows, top = table.body, _top(chart, table)
    span = WIDTH - LABEL_W - VALUE_W
    group_h = BAR_H * len(chart.series) + GAP
    body, y = [], 40
    for row in rows:
        label = escape(str(row.get(chart.category) or "—"))
        body.append(
            f'<text x="{LABEL_W - 6}" y="{y + group_h // 2}" text-anchor="end" {FONT}>'
            f"{label}</text>"
        )
        for index, key in enumerate(chart.series):
            value = row.get(key)
            width = round(max(_number(value), 0.0) / top * span, 1)
            colour = PALETTE[index % len(PALETTE)]
            bar_y = y + index * BAR_H
            body.append(
                f'<rect x="{LABEL_W}" y="{bar_y}" width="{width}" height="{BAR_H - 2}" '
                f'fill="{colour}"/>'
            )
            text = escape(format_value(value, table.column(key).kind))
            body.append(
                f'<text x="{LABEL_W + width + 4}" y="{bar_y + BAR_H - 3}" {FONT}>{text}</text>'
            )
        y += group_h
    body += _legend(chart, table, y + 16)
    return _svg(chart, y + 28, body)


def line_chart(chart: Chart, table: Table) -> str:
    rows, height, left, bottom = table.body, 260, 50, 210
    top = max((_number(r.get(k)) for r in rows for k in chart.series), default=0.0) or 1.0
    step = (WIDTH - left - 20) / max(len(rows) - 1, 1)
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 20}" y2="{bottom}" stroke="#888"/>',
        f'<line x1="{left}" y1="40" x2="{left}" y2="{bottom}" stroke="#888"/>',
        f'<text x="{left - 4}" y="44" text-anchor="end" {FONT}>{top:g}</text>',
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end" {FONT}>0</text>',
    ]
    for index, key in enumerate(chart.series):
        points = " ".join(
            f"{left + i * step:.1f},{bottom - _number(r.get(key)) / top * (bottom - 40):.1f}"
            for i, r in enumerate(rows)
        )
        colour = PALETTE[index % len(PALETTE)]
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    every = max(len(rows) // 8, 1)
    for i, row in enumerate(rows):
        if i % every == 0:
            label = escape(str(row.get(chart.category) or "")[5:])
            body.append(
                f'<text x="{left + i * step:.1f}" y="{bottom + 16}" text-anchor="middle" '
                f"{FONT}>{label}</text>"
            )
    body += _legend(chart, table, height - 12)
    return _svg(chart, height, body)


def chart_svg(chart: Chart, table: Table) -> str:
    return line_chart(chart, table) if chart.kind == "line" else bar_chart(chart, table)
