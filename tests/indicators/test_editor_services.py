"""The draft editor's services: each change, and each refusal with the import's own message and
nothing written."""

from decimal import Decimal as D

import pytest

from indicators import services
from indicators.models import Area, Checkpoint, Indicator, Item, RubricVersion
from indicators.queries import rubric_document
from indicators.services import RubricStateError, rubric_import
from indicators.validation import RubricInvalid, validate

from .conftest import item_of
from .test_import_export import snapshot


@pytest.fixture
def draft(db, seed_doc):
    return rubric_import(data=seed_doc)


@pytest.fixture
def penalty_draft(db, penalty_doc):
    return rubric_import(data=penalty_doc)


def doc_of(version) -> dict:
    """The stored document, read afresh (a loaded version keeps its prefetched tree)."""
    return rubric_document(RubricVersion.objects.get(pk=version.pk))


def node(model, version, code):
    obj = model.objects.get(version=version, code=code)
    obj.version = version
    return obj


def refused(change) -> list[str]:
    before = snapshot()
    with pytest.raises(RubricInvalid) as caught:
        change()
    assert snapshot() == before
    return [str(p) for p in caught.value.problems]


def import_refusal(doc) -> list[str]:
    doc["version"] = "compare"
    with pytest.raises(RubricInvalid) as caught:
        rubric_import(data=doc)
    return [str(p) for p in caught.value.problems]


def test_changing_points_may_leave_a_draft_unbalanced_until_it_is_fixed(draft):
    item = node(Item, draft, "B.3.1")
    services.item_update(item=item, code="B.3.1", title=item.title, points=D(85))
    assert [str(p) for p in validate(doc_of(draft))] == ["B.3: 항목 배점 합계 235 ≠ 지표 배점 230"]
    b32 = node(Item, draft, "B.3.2")
    services.item_update(item=b32, code="B.3.2", title=b32.title, points=D(35))
    assert validate(doc_of(draft)) == []


def test_the_editor_refuses_an_unknown_scale_with_the_import_message(draft, seed_doc):
    item = node(Item, draft, "E.2.2")
    scoring = {"method": "grade", "scale": "three"}
    editor = refused(
        lambda: services.item_update(
            item=item, code="E.2.2", title=item.title, points=item.points, scoring=scoring
        )
    )
    item_of(seed_doc, "E.2.2")["scoring"] = scoring
    assert (
        editor
        == import_refusal(seed_doc)
        == ["E.2.2: 'three' 등급 척도가 없습니다 (정의된 척도: five-level)"]
    )


def test_the_editor_refuses_band_points_above_the_item(penalty_draft, penalty_doc):
    item = node(Item, penalty_draft, "A.1.1")
    editor = refused(
        lambda: services.item_update(item=item, code="A.1.1", title=item.title, points=D(3))
    )
    item_of(penalty_doc, "A.1.1")["points"] = D(3)
    expected = [
        "A.1.1: 구간 배점(3.2)이 항목 배점(3)보다 큽니다 (bands[3])",
        "A.1.1: 구간 배점(4)이 항목 배점(3)보다 큽니다 (bands[4])",
    ]
    assert editor == expected
    assert import_refusal(penalty_doc) == [*expected, "A.1: 항목 배점 합계 13 ≠ 지표 배점 14"]


def test_the_editor_refuses_duplicate_codes_at_any_level(draft, seed_doc):
    area = node(Area, draft, "E")
    editor = refused(
        lambda: services.node_add(
            kind="indicator", parent=area, code="E.2.1", title="새 지표", points=D(0)
        )
    )
    assert editor == [
        "E.2.1: 코드가 중복됩니다 (areas[4].indicators[1].items[0], areas[4].indicators[3])"
    ]
    same_level = refused(
        lambda: services.node_add(kind="area", parent=draft, code="A", title="또 A", points=D(0))
    )
    assert same_level == ["A: 코드가 중복됩니다 (areas[0], areas[5])"]
    item = node(Item, draft, "C.2.2")
    renamed = refused(
        lambda: services.item_update(item=item, code="C.2.1", title=item.title, points=item.points)
    )
    item_of(seed_doc, "C.2.2")["code"] = "C.2.1"
    assert renamed == import_refusal(seed_doc)


def test_the_editor_refuses_negative_points_on_a_non_penalty_item(draft):
    item = node(Item, draft, "A.1.1")
    assert refused(
        lambda: services.item_update(item=item, code="A.1.1", title=item.title, points=D(-5))
    ) == ["A.1.1: 배점이 음수(-5)인 항목은 감점(penalty) 방식이어야 합니다 (현재: grade)"]


def test_scoring_method_and_guidance_are_edited(draft):
    item = node(Item, draft, "E.2.2")
    services.item_update(
        item=item,
        code="E.2.2",
        title="순방문자 수(월평균)",
        points=D(30),
        scoring={
            "method": "bands",
            "unit": "명",
            "bands": [{"min": D(0), "points": D(10)}, {"min": D(10000), "points": D(30)}],
        },
        purpose=["월평균 순방문자 수를 평가"],
        evidence_hint="웹 로그 분석 자료",
    )
    stored = Item.objects.get(pk=item.pk)
    assert (stored.method, stored.inherits_default) == ("bands", False)
    assert stored.params == {
        "unit": "명",
        "bands": [{"min": "0", "points": "10"}, {"min": "10000", "points": "30"}],
    }
    assert stored.purpose == ["월평균 순방문자 수를 평가"]
    exported = item_of(doc_of(draft), "E.2.2")
    assert exported["scoring"]["bands"][1] == {"min": D(10000), "points": D(30)}
    # Back to the version's default: the item inherits again and export leaves scoring out.
    services.item_update(item=stored, code="E.2.2", title="순방문자 수", points=D(30), scoring=None)
    stored = Item.objects.get(pk=item.pk)
    assert (stored.method, stored.params, stored.inherits_default) == (
        "grade",
        {"scale": "five-level"},
        True,
    )
    assert "scoring" not in item_of(doc_of(draft), "E.2.2")


def test_add_and_remove_nodes(draft):
    area = services.node_add(kind="area", parent=draft, code="F", title="신규 영역", points=D(10))
    area.version = draft
    assert [str(p) for p in validate(doc_of(draft))] == [
        "F: 평가지표가 없습니다",
        "F: 지표 배점 합계 0 ≠ 영역 배점 10",
        "total_points: 영역 배점 합계 1010 ≠ 총점 1000",
    ]
    indicator = services.node_add(
        kind="indicator", parent=area, code="F.1", title="신규 지표", points=D(10)
    )
    indicator.version = draft
    item = services.node_add(
        kind="item", parent=indicator, code="F.1.1", title="신규 항목", points=D(10)
    )
    assert (item.method, item.params, item.inherits_default, item.order) == (
        "grade",
        {"scale": "five-level"},
        True,
        0,
    )
    services.rubric_version_update(
        version=draft,
        title=draft.title,
        total_points=D(1010),
        rounding_places=2,
        rounding_mode="half_up",
    )
    assert validate(doc_of(draft)) == []
    services.node_remove(node=area)
    assert not Item.objects.filter(pk=item.pk).exists()
    assert [str(p) for p in validate(doc_of(draft))] == [
        "total_points: 영역 배점 합계 1000 ≠ 총점 1010"
    ]


def test_move_swaps_with_the_neighbour_and_stops_at_the_ends(draft):
    b3 = node(Indicator, draft, "B.3")
    items = lambda: list(  # noqa: E731
        Item.objects.filter(indicator=b3).order_by("order").values_list("code", flat=True)
    )
    assert items() == ["B.3.1", "B.3.2", "B.3.3", "B.3.4"]
    services.node_move(node=node(Item, draft, "B.3.3"), offset=-1)
    assert items() == ["B.3.1", "B.3.3", "B.3.2", "B.3.4"]
    services.node_move(node=node(Item, draft, "B.3.1"), offset=-1)
    services.node_move(node=node(Item, draft, "B.3.4"), offset=1)
    assert items() == ["B.3.1", "B.3.3", "B.3.2", "B.3.4"]
    services.node_move(node=node(Area, draft, "E"), offset=-1)
    assert [a["code"] for a in doc_of(draft)["areas"]] == ["A", "B", "C", "E", "D"]


def test_checkpoints_are_added_changed_moved_and_removed(draft):
    item = node(Item, draft, "E.1.1")  # the seed gives it no checkpoints
    first = services.checkpoint_add(item=item, text="재무제표 확인", details=["부채비율"])
    second = services.checkpoint_add(item=item, text="감사의견 확인")
    services.checkpoint_move(checkpoint=second, offset=-1)
    services.checkpoint_update(checkpoint=first, text="재무제표", details=[])
    assert item_of(doc_of(draft), "E.1.1")["checkpoints"] == [
        {"text": "감사의견 확인"},
        {"text": "재무제표"},
    ]
    services.checkpoint_remove(checkpoint=second)
    assert list(Checkpoint.objects.filter(item=item).values_list("text", flat=True)) == ["재무제표"]


def test_area_substitution_is_set_and_cleared(draft):
    area = node(Area, draft, "C")
    services.area_substitution_update(
        area=area, substitution={"certificates": ["HRD"], "award_ratio": D("0.9")}
    )
    assert Area.objects.get(pk=area.pk).substitution == {
        "certificates": ["HRD"],
        "award_ratio": "0.9",
    }
    assert refused(
        lambda: services.area_substitution_update(
            area=area, substitution={"certificates": ["HRD"], "award_ratio": D("1.5")}
        )
    ) == ["areas[2].substitution.award_ratio: 0 이상 1 이하여야 합니다 (받은 값: 1.5)"]
    services.area_substitution_update(area=area, substitution=None)
    assert Area.objects.get(pk=area.pk).substitution is None


@pytest.mark.parametrize(
    "change",
    [
        lambda v: services.node_add(kind="area", parent=v, code="Z", title="z", points=D(0)),
        lambda v: services.item_update(
            item=node(Item, v, "A.1.1"), code="A.1.1", title="x", points=D(60)
        ),
        lambda v: services.node_remove(node=node(Item, v, "A.1.1")),
        lambda v: services.node_move(node=node(Item, v, "B.1.2"), offset=-1),
        lambda v: services.checkpoint_add(item=node(Item, v, "A.1.1"), text="x"),
        lambda v: services.checkpoint_remove(
            checkpoint=Checkpoint.objects.filter(item__version=v).first()
        ),
        lambda v: services.rubric_version_update(
            version=v, title="x", total_points=D(1), rounding_places=2, rounding_mode="up"
        ),
    ],
    ids=[
        "node_add",
        "item_update",
        "node_remove",
        "node_move",
        "checkpoint_add",
        "checkpoint_remove",
        "version_update",
    ],
)
def test_every_editor_service_refuses_a_published_version(db, seed_doc, change):
    version = rubric_import(data=seed_doc, publish=True)
    before = snapshot()
    with pytest.raises(RubricStateError, match="초안만 수정할 수 있습니다"):
        change(version)
    assert snapshot() == before
