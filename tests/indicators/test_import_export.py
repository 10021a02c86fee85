"""Import and export: the services, the management commands, and what a refusal leaves behind
(nothing)."""

import copy
from decimal import Decimal as D

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.interchange import dump_text, parse_text
from indicators.models import (
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    Rubric,
    RubricVersion,
    VersionStatus,
)
from indicators.queries import rubric_document
from indicators.services import rubric_export, rubric_import
from indicators.validation import RubricInvalid
from operations.demo.rubric import SEED_RUBRIC

from ..factories import build_rubric
from .conftest import PENALTY_RUBRIC, area_of, indicator_of, item_of

MODELS = (Rubric, RubricVersion, GradeScale, GradeLevel, Area, Indicator, Item, Checkpoint)


def snapshot() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}


def test_seed_import_creates_the_whole_tree(db):
    version = rubric_import(document_text=SEED_RUBRIC.read_bytes())
    assert version.status == VersionStatus.DRAFT
    assert (version.areas.count(), version.indicators.count(), version.items.count()) == (5, 11, 19)
    assert version.total_points == 1000
    assert sum(area.points for area in version.areas.all()) == 1000
    b31 = version.items.get(code="B.3.1")
    assert (b31.points, b31.method, b31.params, b31.inherits_default) == (
        D(80),
        "grade",
        {"scale": "five-level"},
        True,
    )
    assert [c.text for c in b31.checkpoints.order_by("order")] == [
        "정보시스템 관리 및 장애 대응 계획 수립",
        "정보시스템 관리 및 장애 대응 계획에 따른 시스템 운영",
        "최근 3년간 정보시스템 성능(관리) 개선 및 장애 대응을 위한 투자 실적",
    ]
    area_d = version.areas.get(code="D")
    assert area_d.substitution == {
        "certificates": ["ISMS", "ISMS-P"],
        "award_ratio": "1",
        "note": "정보보안 영역은 ISMS 또는 ISMS-P 인증 결과로 대체 가능",
    }
    assert list(version.scales.get().levels.values_list("code", "ratio")) == [
        ("S", D("1")),
        ("A", D("0.8")),
        ("B", D("0.6")),
        ("C", D("0.4")),
        ("D", D("0.2")),
    ]


def test_import_with_publish_publishes(db):
    version = rubric_import(document_text=SEED_RUBRIC.read_bytes(), publish=True)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None


def test_seed_round_trip_gives_back_an_equal_document(db):
    original = parse_text(SEED_RUBRIC.read_bytes())
    version = rubric_import(document_text=SEED_RUBRIC.read_bytes())
    exported = rubric_export(version=version)
    assert parse_text(exported) == original
    # ... and exporting what the export imports gives the very same text.
    again = copy.deepcopy(parse_text(exported))
    again["version"] = "copy"
    second = rubric_import(data=again)
    assert rubric_export(version=second) == exported.replace("version: '1'", "version: copy")


def test_penalty_rubric_round_trips_and_stores_each_method(db):
    original = parse_text(PENALTY_RUBRIC.read_bytes())
    version = rubric_import(document_text=PENALTY_RUBRIC.read_text("utf-8"))
    assert parse_text(rubric_export(version=version)) == original
    assert (version.rounding_places, version.rounding_mode) == (1, "half_even")
    assert version.default_scoring is None
    stored = {i.code: (i.method, i.params, i.points) for i in version.items.all()}
    assert stored["P.1.1"] == ("penalty", {"per_case": "-0.5"}, D(-5))
    assert stored["A.3.2"] == ("points", {"step": "0.5"}, D(2))
    assert stored["B.2.1"] == ("points", {}, D(3))
    assert stored["A.1.2"] == (
        "bands",
        {
            "unit": "%",
            "bands": [
                {"min": "0.05", "points": "0.5"},
                {"min": "0.1", "points": "1"},
                {"min": "0.2", "points": "2"},
            ],
        },
        D(2),
    )
    assert version.areas.get(code="P").points == -5


def test_rounding_is_left_out_of_the_export_when_it_is_the_default(db, seed_doc):
    text = rubric_export(version=rubric_import(data=seed_doc))
    assert "rounding" not in text
    seed_doc["version"] = "2"
    seed_doc["rounding"] = {"places": 2, "mode": "down"}
    assert "rounding: {places: 2, mode: down}" in rubric_export(
        version=rubric_import(data=seed_doc)
    )


# --- bad input: each case refuses with its messages and leaves the database unchanged ----------


def _bad_cases():
    def doc_case(mutate):
        def make(seed):
            mutate(seed)
            return dump_text(seed)

        return make

    def set_item(code, key, value):
        return lambda doc: item_of(doc, code).__setitem__(key, value)

    return [
        (
            "not-yaml",
            lambda seed: "format: certeval.rubric/1\nareas: [\n  {code: A\n",
            [
                "문서: YAML(또는 JSON) 문서로 읽을 수 없습니다 (4행 1열: while parsing a flow "
                "mapping, expected ',' or '}', but got '<stream end>')"
            ],
        ),
        (
            "binary",
            lambda seed: b"\xff\xfe\x00rubric",
            ["문서: UTF-8 텍스트 파일이 아닙니다 (1번째 바이트를 읽을 수 없습니다)"],
        ),
        (
            "wrong-type",
            doc_case(set_item("B.3.3", "points", "사십")),
            ["areas[1].indicators[2].items[2].points: 숫자여야 합니다 (받은 값: '사십')"],
        ),
        (
            "unknown-key",
            doc_case(set_item("A.1.1", "weight", 3)),
            [
                "areas[0].indicators[0].items[0].weight: 알 수 없는 키입니다 (쓸 수 있는 키: "
                "code, title, points, scoring, purpose, checkpoints, evidence_hint)"
            ],
        ),
        (
            "missing-key",
            doc_case(lambda doc: area_of(doc, "C").pop("points")),
            ["areas[2].points: 필수 키가 없습니다"],
        ),
        (
            "item-sum",
            doc_case(set_item("B.3.1", "points", 85)),
            ["B.3: 항목 배점 합계 235 ≠ 지표 배점 230"],
        ),
        (
            "indicator-sum",
            doc_case(lambda doc: indicator_of(doc, "C.1").__setitem__("points", 50)),
            ["C.1: 항목 배점 합계 60 ≠ 지표 배점 50", "C: 지표 배점 합계 110 ≠ 영역 배점 120"],
        ),
        (
            "area-sum",
            doc_case(lambda doc: area_of(doc, "A").__setitem__("points", 90)),
            [
                "A: 지표 배점 합계 100 ≠ 영역 배점 90",
                "total_points: 영역 배점 합계 990 ≠ 총점 1000",
            ],
        ),
        (
            "unknown-scale",
            doc_case(set_item("E.2.2", "scoring", {"method": "grade", "scale": "three"})),
            ["E.2.2: 'three' 등급 척도가 없습니다 (정의된 척도: five-level)"],
        ),
        (
            "band-above-points",
            doc_case(
                set_item(
                    "E.2.2",
                    "scoring",
                    {"method": "bands", "unit": "명", "bands": [{"min": 0, "points": 31}]},
                )
            ),
            ["E.2.2: 구간 배점(31)이 항목 배점(30)보다 큽니다 (bands[0])"],
        ),
        (
            "duplicate-code",
            doc_case(set_item("C.2.2", "code", "C.2.1")),
            [
                "C.2.1: 코드가 중복됩니다 (areas[2].indicators[1].items[0], "
                "areas[2].indicators[1].items[1])"
            ],
        ),
        (
            "unsupported-format",
            doc_case(lambda doc: doc.__setitem__("format", "certeval.rubric/2")),
            [
                "format: 지원하지 않는 형식입니다 (받은 값: 'certeval.rubric/2'). 지원하는 형식은 "
                "certeval.rubric/1 하나입니다"
            ],
        ),
        (
            "existing-version",
            lambda seed: PENALTY_RUBRIC.read_text("utf-8"),
            [
                "version: 평가지표 'seoul-district-incentive'에 이미 '2013' 버전이 있습니다. "
                "기존 버전은 덮어쓰지 않습니다 — 다른 version 값으로 가져오십시오."
            ],
        ),
    ]


BAD_CASES = _bad_cases()


@pytest.fixture
def existing(db):
    """Something in the database already, so 'unchanged' means more than 'empty'."""
    return rubric_import(document_text=PENALTY_RUBRIC.read_bytes(), publish=True)


@pytest.mark.parametrize(
    ("make", "expected"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_input_is_refused_with_every_problem_and_writes_nothing(
    existing, seed_doc, make, expected
):
    text = make(seed_doc)
    before = snapshot()
    with pytest.raises(RubricInvalid) as caught:
        rubric_import(document_text=text)
    assert [str(p) for p in caught.value.problems] == expected
    assert snapshot() == before


def test_a_refusal_late_in_the_import_rolls_back_what_was_written(existing, seed_doc, monkeypatch):
    """Even a failure after the first rows were written leaves nothing (one transaction)."""
    from indicators.models import Checkpoint

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Checkpoint.objects, "bulk_create", explode)
    before = snapshot()
    with pytest.raises(RuntimeError):
        rubric_import(data=seed_doc)
    assert snapshot() == before


# --- management commands ------------------------------------------------------------------------


def test_import_command_imports_and_reports(db, tmp_path, capsys):
    call_command("import_rubric", str(SEED_RUBRIC), "--publish")
    version = RubricVersion.objects.get(rubric__code="job-information-provider", version="1")
    assert version.status == VersionStatus.PUBLISHED
    assert "job-information-provider의 1 버전을 가져왔습니다 (게시, 항목 19개)" in (
        capsys.readouterr().out
    )


def test_import_command_exits_non_zero_with_the_error_list(
    existing, seed_doc, tmp_path, capsys, monkeypatch
):
    # run_from_argv closes every connection when it ends; on PostgreSQL that would close the
    # test's own transaction, so keep it open. The command's own behaviour is unchanged.
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    item_of(seed_doc, "B.3.1")["points"] = 85
    seed_doc["format"] = "certeval.rubric/9"
    path = tmp_path / "bad.yaml"
    path.write_text(dump_text(seed_doc), encoding="utf-8")
    before = snapshot()
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_rubric", str(path)])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "format: 지원하지 않는 형식입니다 (받은 값: 'certeval.rubric/9')" in err
    assert "B.3: 항목 배점 합계 235 ≠ 지표 배점 230" in err
    assert "평가지표를 가져오지 못했습니다 (문제 2건). 아무것도 저장하지 않았습니다." in err
    assert snapshot() == before


def test_import_command_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="파일이 없습니다"):
        call_command("import_rubric", str(tmp_path / "nope.yaml"))


def test_export_command_to_stdout_and_to_a_file(existing, tmp_path, capsys):
    call_command("export_rubric", "seoul-district-incentive", "2013")
    out = capsys.readouterr().out
    assert parse_text(out) == parse_text(PENALTY_RUBRIC.read_bytes())
    folder = tmp_path / "export"
    folder.mkdir()
    target = folder / "out.yaml"
    call_command("export_rubric", "seoul-district-incentive", "2013", "-o", str(target))
    assert target.read_text(encoding="utf-8") == out
    assert [p.name for p in folder.iterdir()] == ["out.yaml"]  # no temporary file left


def test_export_command_unknown_version_writes_no_file(existing, tmp_path):
    target = tmp_path / "out.yaml"
    with pytest.raises(CommandError, match="'9' 버전이 없습니다"):
        call_command("export_rubric", "seoul-district-incentive", "9", "-o", str(target))
    assert not target.exists()


# --- performance: a constant number of queries -------------------------------------------------


def _generated_document(n_items: int) -> dict:
    doc = rubric_document(build_rubric(n_items=n_items, code=f"gen-{n_items}"))
    doc["code"] = f"imported-{n_items}"
    return doc


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_import_runs_the_same_number_of_queries_for_19_and_190_items(db):
    small, large = _generated_document(19), _generated_document(190)
    assert len([i for a in large["areas"] for n in a["indicators"] for i in n["items"]]) == 190
    counts = [_queries(lambda d=d: rubric_import(data=d, publish=True)) for d in (small, large)]
    assert counts[0] == counts[1]
    assert Item.objects.filter(version__rubric__code="imported-190").count() == 190


def test_export_and_clone_run_the_same_number_of_queries_for_19_and_190_items(db):
    from indicators.services import rubric_version_clone

    small = build_rubric(n_items=19, code="small")
    large = build_rubric(n_items=190, code="large")
    export_counts = [
        _queries(lambda v=v: rubric_export(version=RubricVersion.objects.get(pk=v.pk)))
        for v in (small, large)
    ]
    clone_counts = [
        _queries(lambda v=v: rubric_version_clone(version=v, new_version="2"))
        for v in (small, large)
    ]
    assert export_counts[0] == export_counts[1]
    assert clone_counts[0] == clone_counts[1]
    assert (
        Checkpoint.objects.filter(
            item__version__rubric__code="large", item__version__version="2"
        ).count()
        == 190
    )
