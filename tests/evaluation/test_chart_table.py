"""The totals chart's text alternative (ADR 021): the dashboard's table reads the same bands
the chart draws (``charts.totals_bands``)."""

from decimal import Decimal as D

from evaluation import charts


def test_bands_count_each_total_once_split_at_the_threshold():
    totals = [D("0"), D("99.99"), D("100"), D("140"), D("150.5"), D("1000")]
    bands = charts.totals_bands(totals, max_points=D("1000"), threshold=D("140"))
    assert [label for label, _p, _f in bands][:2] == ["0–100", "100–200"]
    assert bands[0] == ("0–100", 0, 2)
    assert bands[1] == ("100–200", 2, 1)  # 140 and 150.5 pass, 100 does not
    assert bands[-1] == ("900–1000", 1, 0)  # the top band includes its upper bound
    assert sum(p + f for _label, p, f in bands) == len(totals)


def test_the_chart_draws_the_bands():
    totals = [D("120"), D("130"), D("145")]
    svg = charts.totals_histogram(totals, max_points=D("200"), threshold=D("140")).decode()
    for label, _p, _f in charts.totals_bands(totals, max_points=D("200"), threshold=D("140")):
        assert label in svg
