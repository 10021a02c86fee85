"""Server-side SVG charts (pygal) for the PDF reports.

- No JavaScript (``js=[]``, and pygal's inline config ``<script>`` removed) and no comments
  (pygal stamps today's date in one).
- A fixed chart id instead of pygal's random one, so the same inputs give the same SVG.
- ``font-family`` as an attribute on the root ``<svg>``: an inline SVG does not inherit the
  document's stylesheet in WeasyPrint, and without it Hangul labels fall back to another font.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pygal
from pygal.style import Style

from .pdf import KOREAN_FONT_FAMILY

INK = "#1f2937"
PRIMARY = "#1f4e79"
GREY = "#9ca3af"

_COMMENT = re.compile(r"<!--.*?-->", re.S)
# pygal writes its config as an inline <script> even with js=[]: drop it (nothing runs in a PDF,
# and a page's CSP would refuse it).
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
        font_family=KOREAN_FONT_FAMILY,
        background="white",
        plot_background="white",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle="#d1d5db",
        colors=colors,
        opacity="1",
        opacity_hover="1",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=11,
        title_font_size=14,
        guide_stroke_color="#d1d5db",
        major_guide_stroke_color="#d1d5db",
        guide_stroke_dasharray="1,0",
        major_guide_stroke_dasharray="1,0",
    )


def _finish(chart: pygal.Graph, chart_id: str) -> str:
    chart.uuid = chart_id
    svg = chart.render(is_unicode=True)
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    return svg.replace("<svg ", f'<svg font-family="{KOREAN_FONT_FAMILY}" ', 1)


def _number(value: str) -> float | None:
    """pygal plots floats; the figures shown in the tables stay Decimal strings."""
    return float(Decimal(value)) if value not in ("", None) else None


def area_chart(areas: list[dict]) -> str:
    """Per area: this institution's % of the area's points against the cycle average."""
    chart = pygal.Bar(
        js=[],
        style=_style((PRIMARY, GREY)),
        width=720,
        height=300,
        range=(0, 100),
        y_labels=[0, 20, 40, 60, 80, 100],
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values=True,
        print_values_position="top",
        value_formatter=lambda v: f"{v:.0f}",
        formatter=lambda v: f"{v:.1f}",
        y_title="%",
        margin=8,
        disable_xml_declaration=True,
        show_y_guides=True,
        truncate_label=-1,
    )
    chart.x_labels = [f"{a['code']} {a['title']}" for a in areas]
    chart.add("기관 득점률", [_number(a["rate"]) for a in areas])
    chart.add("평가 주기 평균", [_number(a["average_rate"]) for a in areas])
    return _finish(chart, "areas")


def distribution_chart(bins: list[dict]) -> str:
    """How many applications fall in each band of totals."""
    top = max([b["count"] for b in bins] + [1])
    step = max(1, -(-top // 5))  # at most ~5 integer guides
    chart = pygal.Bar(
        js=[],
        style=_style((PRIMARY,)),
        range=(0, step * -(-top // step)),
        y_labels=list(range(0, step * -(-top // step) + 1, step)),
        width=720,
        height=280,
        show_legend=False,
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        value_formatter=lambda v: f"{v:.0f}",
        x_label_rotation=0,
        y_title="기관 수",
        margin=8,
        disable_xml_declaration=True,
        truncate_label=-1,
    )
    chart.x_labels = [b["label"] for b in bins]
    chart.add("기관 수", [b["count"] for b in bins])
    return _finish(chart, "distribution")


def severity_chart(reliability: dict) -> str:
    """Each evaluator's severity (% of the item's points; negative = stricter than the
    others), flagged evaluators in their own series so the legend names them."""
    rows = reliability["evaluators"]
    chart = pygal.HorizontalBar(
        js=[],
        style=_style((PRIMARY, "#c2410c")),
        width=720,
        height=max(200, 70 + 34 * len(rows)),
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values=True,
        value_formatter=lambda v: f"{v:+.1f}",
        x_title="다른 위원 평균과의 차 (배점 대비 %)",
        margin=8,
        disable_xml_declaration=True,
        truncate_label=-1,
    )
    chart.x_labels = [row["name"] for row in rows]

    def series(flag: bool):
        return [None if row["flagged"] != flag else _number(row["percent"]) for row in rows]

    chart.add(f"경계(±{reliability['bound']}%p) 이내", series(False))
    chart.add("경계 초과", series(True))
    return _finish(chart, "severity")
