"""Server-side SVG charts (pygal) for the cycle dashboard and, later, the PDF reports.

No JavaScript ever leaves the server: pygal's own scripts are disabled (``js=[]``) and its
config ``<script>`` is removed by an XML filter, so the SVG is inert wherever it is shown. Its
styles stay inside the SVG (served as an image, they never touch the page's CSP). Text is
Korean and set in NanumGothic (the font installed for the PDFs), with fallbacks.

Chart inputs are counts and Decimal figures computed by the caller; floats appear only in the
drawing coordinates pygal computes.
"""

from __future__ import annotations

from decimal import Decimal

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

FONT = "NanumGothic, 'Nanum Gothic', 'Noto Sans CJK KR', sans-serif"
SVG_NS = "{http://www.w3.org/2000/svg}"

STYLE = Style(
    font_family=FONT,
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    # passing / failing bars: blue and orange (distinct for colour-blind readers too), and the
    # legend names them, so colour is never the only signal
    colors=("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
    value_label_font_size=13,
)


def _strip_scripts(root):
    """Remove every ``<script>`` pygal put in the SVG (its config, even with ``js=[]``)."""
    for tag in ("script", f"{SVG_NS}script"):
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == tag:
                    parent.remove(child)
    return root


def _config(**options) -> dict:
    return {
        "js": [],
        "style": STYLE,
        "width": 720,
        "height": 360,
        "print_values": True,
        "show_y_guides": True,
        "legend_at_bottom": True,
        "no_data_text": _("자료 없음"),
        "disable_xml_declaration": False,
        **options,
    }


def totals_bands(
    totals: list[Decimal], *, max_points: Decimal, threshold: Decimal, bins: int = 10
) -> list[tuple[str, int, int]]:
    """The histogram's numbers: (band label, applications at or above the threshold, below
    it) for each band of total points. The chart draws them and the dashboard shows them as a
    table beside it (its text alternative, ADR 021), so both read the same figures."""
    width = max_points / bins
    bands = []
    for n in range(bins):
        low, high = width * n, width * (n + 1)
        last = n == bins - 1
        inside = [t for t in totals if low <= t < high or (last and t == high)]
        bands.append(
            (
                f"{_num(low)}–{_num(high)}",
                sum(1 for t in inside if t >= threshold),
                sum(1 for t in inside if t < threshold),
            )
        )
    return bands


def totals_histogram(
    totals: list[Decimal], *, max_points: Decimal, threshold: Decimal, bins: int = 10
) -> bytes:
    """How many applications fall in each band of total points, in two series (기준 이상 /
    기준 미달) so a band's status reads from the legend and the value labels."""
    bands = totals_bands(totals, max_points=max_points, threshold=threshold, bins=bins)
    labels = [label for label, _p, _f in bands]
    passing = [p or None for _label, p, _f in bands]
    failing = [f or None for _label, _p, f in bands]
    highest = max((p or 0) + (f or 0) for p, f in zip(passing, failing, strict=True))
    step = max(1, -(-highest // 8))  # at most ~8 whole-number ticks
    chart = pygal.StackedBar(
        **_config(
            title=_("총점 분포 (인증 기준 %(threshold)s점)") % {"threshold": _num(threshold)},
            x_title=_("총점 구간"),
            y_title=_("기관 수"),
            x_label_rotation=30,
            print_zeroes=False,
            y_labels=list(range(0, highest + step + 1, step)),
        )
    )
    chart.add_xml_filter(_strip_scripts)
    chart.x_labels = labels
    chart.add(_("기준 이상"), passing)
    chart.add(_("기준 미달"), failing)
    return chart.render()


def area_averages(rows: list[tuple[str, str, Decimal | None]]) -> bytes:
    """The average rate (%) of each area: rows of (code, title, average rate or None)."""
    chart = pygal.HorizontalBar(
        **_config(
            title=_("영역별 평균 득점률 (%)"),
            range=(0, 100),
            show_legend=False,
            height=max(240, 60 + 48 * len(rows)),
            value_formatter=lambda v: f"{v:.1f}%",
        )
    )
    chart.add_xml_filter(_strip_scripts)
    chart.x_labels = [f"{code} {title}" for code, title, _rate in rows]
    chart.add(_("평균 득점률"), [None if rate is None else float(rate) for *_, rate in rows])
    return chart.render()


def _num(value: Decimal) -> str:
    value = Decimal(value)
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")


def evaluator_severity(rows: list[tuple[str, Decimal | None, bool]], *, bound: Decimal) -> bytes:
    """Each evaluator's severity (mean of own − mean of the others, % of the item's points):
    rows of (name, severity % or None, flagged). Flagged evaluators form their own series, so
    the legend names them (colour is not the only signal)."""
    chart = pygal.HorizontalBar(
        **_config(
            title=_("평가위원별 엄격도 (다른 위원 평균과의 차, 배점 대비 %)"),
            height=max(240, 80 + 40 * len(rows)),
            value_formatter=lambda v: f"{v:+.1f}%",
        )
    )
    chart.add_xml_filter(_strip_scripts)
    chart.x_labels = [name for name, _value, _flag in rows]

    def series(flag: bool):
        return [
            None if value is None or flagged != flag else float(value)
            for _name, value, flagged in rows
        ]

    chart.add(_("경계(±%(bound)s%%p) 이내") % {"bound": _num(bound)}, series(False))
    chart.add(_("경계 초과"), series(True))
    return chart.render()
