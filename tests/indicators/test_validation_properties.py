"""Properties of the rubric validation and the YAML writer/reader (Hypothesis, no database)."""

import copy
from decimal import Decimal as D

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indicators.interchange import dump_text, parse_text
from indicators.validation import FORMAT, Problem, fmt, validate

points = st.decimals(min_value=0, max_value=500, places=3, allow_nan=False, allow_infinity=False)
deltas = st.decimals(
    min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False
).filter(lambda d: d != 0)


@st.composite
def scorings(draw, item_points: D):
    """A scoring that is valid for ``item_points`` (None = inherit the default)."""
    kind = draw(st.sampled_from(["inherit", "grade", "points", "step", "bands"]))
    if kind == "inherit":
        return None
    if kind == "grade":
        return {"method": "grade", "scale": "five"}
    if kind == "points" or (kind == "step" and item_points != item_points.to_integral_value()):
        return {"method": "points"}
    if kind == "step":
        return {"method": "points", "step": D(1)}
    mins = draw(st.lists(st.integers(-50, 5000), min_size=1, max_size=4, unique=True))
    return {
        "method": "bands",
        "unit": "명",
        "bands": [
            {
                "min": D(low),
                "points": draw(
                    st.decimals(min_value=0, max_value=item_points, places=3, allow_nan=False)
                ),
            }
            for low in mins
        ],
    }


@st.composite
def rubrics(draw):
    """A valid rubric document: every sum matches, every method fits its item."""
    shape = draw(
        st.lists(
            st.lists(st.lists(points, min_size=1, max_size=4), min_size=1, max_size=3),
            min_size=1,
            max_size=4,
        )
    )
    areas = []
    for a, indicators in enumerate(shape):
        area_code = f"A{a}"
        indicator_docs = []
        for i, items in enumerate(indicators):
            item_docs = []
            for k, item_points in enumerate(items):
                item = {"code": f"{area_code}.{i}.{k}", "title": "항목", "points": item_points}
                scoring = draw(scorings(item_points))
                if scoring is not None:
                    item["scoring"] = scoring
                item_docs.append(item)
            indicator_docs.append(
                {
                    "code": f"{area_code}.{i}",
                    "title": "지표",
                    "points": sum(items, D(0)),
                    "items": item_docs,
                }
            )
        areas.append(
            {
                "code": area_code,
                "title": "영역",
                "points": sum((ind["points"] for ind in indicator_docs), D(0)),
                "indicators": indicator_docs,
            }
        )
    total = sum((area["points"] for area in areas), D(0))
    assume(total > 0)
    return {
        "format": FORMAT,
        "code": "generated",
        "title": "생성된 평가지표",
        "version": "1",
        "total_points": total,
        "grade_scales": {
            "five": {
                "title": "5등급",
                "levels": [
                    {"code": c, "title": c, "ratio": D(r)}
                    for c, r in [("S", "1"), ("A", "0.8"), ("B", "0.6"), ("C", "0.4"), ("D", "0")]
                ],
            }
        },
        "defaults": {"scoring": {"method": "grade", "scale": "five"}},
        "areas": areas,
    }


def _items(doc):
    return [
        (area, indicator, item)
        for area in doc["areas"]
        for indicator in area["indicators"]
        for item in indicator["items"]
    ]


@given(rubrics())
def test_a_generated_valid_rubric_validates(doc):
    assert validate(doc) == []


@given(rubrics(), st.data(), deltas)
def test_changing_one_item_reports_exactly_its_indicator(doc, data, delta):
    _area, indicator, item = data.draw(st.sampled_from(_items(doc)))
    # Methods whose own rules do not depend on the item's points (bands and step do).
    assume(
        item.get("scoring", {"method": "grade"})
        in ({"method": "grade", "scale": "five"}, {"method": "points"})
    )
    new = item["points"] + delta
    assume(D(0) <= new < D(10) ** 7)
    item["points"] = new
    item_sum = sum((i["points"] for i in indicator["items"]), D(0))
    assert validate(doc) == [
        Problem(
            indicator["code"],
            f"항목 배점 합계 {fmt(item_sum)} ≠ 지표 배점 {fmt(indicator['points'])}",
            code=indicator["code"],
            draft_ok=True,
        )
    ]


@given(rubrics(), st.data(), deltas)
def test_changing_one_indicator_reports_it_and_its_area(doc, data, delta):
    area = data.draw(st.sampled_from(doc["areas"]))
    indicator = data.draw(st.sampled_from(area["indicators"]))
    old = indicator["points"]
    assume(old + delta >= 0)
    indicator["points"] = old + delta
    indicator_sum = sum((i["points"] for i in area["indicators"]), D(0))
    assert [str(p) for p in validate(doc)] == [
        f"{indicator['code']}: 항목 배점 합계 {fmt(old)} ≠ 지표 배점 {fmt(old + delta)}",
        f"{area['code']}: 지표 배점 합계 {fmt(indicator_sum)} ≠ 영역 배점 {fmt(area['points'])}",
    ]


@given(rubrics(), st.data(), deltas)
def test_changing_one_area_reports_it_and_the_total(doc, data, delta):
    area = data.draw(st.sampled_from(doc["areas"]))
    old = area["points"]
    assume(old + delta >= 0)
    area["points"] = old + delta
    area_sum = sum((a["points"] for a in doc["areas"]), D(0))
    assert [str(p) for p in validate(doc)] == [
        f"{area['code']}: 지표 배점 합계 {fmt(old)} ≠ 영역 배점 {fmt(old + delta)}",
        f"total_points: 영역 배점 합계 {fmt(area_sum)} ≠ 총점 {fmt(doc['total_points'])}",
    ]


@given(rubrics(), st.randoms(use_true_random=False))
def test_order_does_not_matter(doc, random):
    shuffled = copy.deepcopy(doc)
    random.shuffle(shuffled["areas"])
    for area in shuffled["areas"]:
        random.shuffle(area["indicators"])
        for indicator in area["indicators"]:
            random.shuffle(indicator["items"])
    assert validate(shuffled) == []


@settings(max_examples=50)
@given(rubrics())
def test_written_yaml_reads_back_equal(doc):
    text = dump_text(doc)
    assert "!!" not in text and "&id" not in text  # plain YAML: no tags, no anchors
    back = parse_text(text)
    assert back == doc
    assert validate(back) == []


json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.decimals(allow_nan=True, allow_infinity=True),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["format", "code", "areas", "points", "items", "indicators", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@given(json_like)
def test_any_junk_gives_problems_never_an_exception(value):
    problems = validate(value)
    assert problems and all(isinstance(p, Problem) and str(p) for p in problems)
