"""export_scores, export_results, import_scores, verify_results."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from evaluation import scoring
from evaluation.adapters import scoring_rubric
from evaluation.models import (
    Assignment,
    AuditAction,
    CycleAreaMinimum,
    Declaration,
    ItemScore,
    Result,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from evaluation.services import results as svc
from institutions.roles import Role

from ..factories import score_application
from ..process import open_for_scoring

pytestmark = pytest.mark.django_db

HEADER = "application_id,institution,evaluator,item_code,method,entered,points,confirmed"


@pytest.fixture
def panel(evaluator, other_evaluator, make_user):
    return [evaluator, other_evaluator, make_user("evaluator3", Role.EVALUATOR)]


@pytest.fixture
def scored(application, other_application, panel, make_user):
    cycle = application.cycle
    cycle.aggregation_rule = "trimmed_mean"
    cycle.save(update_fields=["aggregation_rule"])
    CycleAreaMinimum.objects.create(
        cycle=cycle, area=cycle.rubric_version.areas.get(code="B"), ratio=Decimal("0.7")
    )
    recused = make_user("evaluator7", Role.EVALUATOR)
    score_application(
        application, {**dict(zip(panel, "SAB", strict=True)), recused: "S"}, excluded=(recused,)
    )
    score_application(
        other_application,
        dict(zip(panel, ({"B.1.1": "D", "B.1.2": "D"}, "C", "A"), strict=True)),
    )
    svc.cycle_results_recompute(cycle=cycle)
    return application, other_application


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


# --- export_scores ---------------------------------------------------------------------------


def test_export_scores_csv_one_row_per_application_evaluator_item(scored, application):
    out, _ = run("export_scores", "test-2026")
    rows = list(csv.reader(io.StringIO(out)))
    assert ",".join(rows[0]) == HEADER
    assert len(rows) == 1 + 2 * 3 * 19  # the recused evaluator7 is not exported
    assert not any(r[2] == "evaluator7" for r in rows)
    assert rows[1] == [
        str(application.pk),
        "한빛잡정보",
        "evaluator1",
        "A.1.1",
        "grade",
        "S",
        "10",
        "true",
    ]


def test_export_scores_xlsx(scored, tmp_path):
    target = tmp_path / "scores.xlsx"
    run("export_scores", "test-2026", "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert ",".join(rows[0]) == HEADER and len(rows) == 1 + 2 * 3 * 19
    assert rows[1][3:] == ("A.1.1", "grade", "S", "10", "true")


def test_export_of_an_unknown_cycle_is_refused_in_korean(scored):
    message, _ = refused("export_scores", "nope")
    assert message == "'nope' 평가 주기가 없습니다 (있는 평가 주기: test-2026)."


# --- export_results --------------------------------------------------------------------------


def test_export_results_csv_and_xlsx(scored, application, other_application, tmp_path):
    out, _ = run("export_results", "test-2026")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "application_id",
        "institution",
        "total",
        "A",
        "B",
        "C",
        "D",
        "E",
        "penalty",
        "decision",
        "rank",
    ]
    # trimmed mean keeps the A sheet (152) of S/A/B; 누리커리어 C/A/(B with B.1.1–2 D) keeps
    # the middle sheet: B everywhere except D on B.1.1, B.1.2 → 114 − 8 = 106 → B area 16 < 28
    assert rows[1] == [
        str(application.pk),
        "한빛잡정보",
        "152.00",
        "32.00",
        "32.00",
        "32.00",
        "32.00",
        "24.00",
        "0.00",
        "pass",
        "1",
    ]
    assert rows[2][:3] == [str(other_application.pk), "누리커리어", "106.00"]
    assert rows[2][8:] == ["0.00", "fail", "2"]
    target = tmp_path / "results.xlsx"
    run("export_results", "test-2026", "--format", "xlsx", "-o", str(target))
    xrows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert [str(c) for c in xrows[1]] == rows[1]


def test_export_results_json_lets_anyone_recompute_from_export_scores(scored):
    document = json.loads(run("export_results", "test-2026", "--format", "json")[0])
    assert document["rule"] == "trimmed_mean"
    assert document["threshold"] == "140"
    assert document["area_minimums"] == {"B": "0.7"}
    assert document["rounding"] == {"places": 2, "mode": "half_up"}
    assert document["evaluator_key"] == "username"
    # Recompute with the pure module only, from the exported scores and these settings.
    scores = list(csv.DictReader(io.StringIO(run("export_scores", "test-2026")[0])))
    sheets: dict[str, dict[str, dict[str, Decimal]]] = {}
    for row in scores:
        if row["confirmed"] == "true":
            sheets.setdefault(row["application_id"], {}).setdefault(row["evaluator"], {})[
                row["item_code"]
            ] = Decimal(row["points"])
    from evaluation.models import Cycle

    rubric = scoring_rubric(Cycle.objects.get(slug="test-2026").rubric_version)
    results = {
        app_id: scoring.aggregate(
            rubric,
            [scoring.Sheet(name, points) for name, points in by_evaluator.items()],
            rule=document["rule"],
            threshold=Decimal(document["threshold"]),
            area_minimums={k: Decimal(v) for k, v in document["area_minimums"].items()},
        )
        for app_id, by_evaluator in sheets.items()
    }
    ranks = scoring.rank(results)
    for row in document["results"]:
        mine = results[str(row["application_id"])]
        assert str(mine.total.rounded) == row["total"]
        assert ("pass" if mine.passed else "fail") == row["decision"]
        assert ranks[str(row["application_id"])] == row["rank"]
        assert {a.code: str(a.score.rounded) for a in mine.areas} == {c: row[c] for c in "ABCDE"}


# --- verify_results --------------------------------------------------------------------------


def test_verify_results_passes_when_everything_agrees(scored):
    out, _ = run("verify_results", "test-2026")
    assert out.strip() == "평가 주기 test-2026: 결과 2건이 모두 재계산 값과 같습니다."


def test_verify_results_lists_every_difference_and_fails(
    scored, application, other_application, panel
):
    # a stored item points that its grade does not give (which also breaks the sheet's hash)
    ItemScore.objects.filter(
        sheet__assignment__application=application,
        sheet__assignment__evaluator=panel[0],
        item__code="C.1.2",
    ).update(points=Decimal("9"))
    # a stored total and rank that the sheets do not give
    Result.objects.filter(application=other_application).update(total=Decimal("106.01"), rank=1)
    message, err = refused("verify_results", "test-2026")
    assert message == "평가 주기 test-2026: 저장된 값과 재계산 값이 다른 곳이 5건 있습니다."
    assert err.splitlines() == [
        f"신청 {application.pk} (한빛잡정보) evaluator1 C.1.2: 저장된 점수 9 ≠ 입력값(S)으로 계산한 10",
        f"신청 {other_application.pk} (누리커리어): 총점 저장값 106.01 ≠ 재계산 106",
        f"신청 {other_application.pk} (누리커리어): 순위 저장값 1 ≠ 재계산 2",
        f"신청 {application.pk} (한빛잡정보) evaluator1: 평가표 내용이 확정 시점의 봉인(HMAC)과 다릅니다",
        f"신청 {application.pk} (한빛잡정보) evaluator1 C.1.2: 저장된 값이 점수 이력의 마지막 값과 "
        "다릅니다 (점수 9 ≠ 이력 10)",
    ]


def test_verify_results_passes_after_a_substitution_confirmed_after_the_sheets(
    scored, application, admin_user
):
    """A certificate confirmed after 확정 changes the result (area D scores by the
    certificate), not the sheets: their hashes still verify, and so does the result."""
    from datetime import date

    from institutions.models import Certificate

    cert = Certificate.objects.create(
        institution=application.institution,
        kind="ISMS",
        number="ISMS-late",
        issuer="KISA",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 1, 1),
    )
    area = application.cycle.rubric_version.areas.get(code="D")
    before = Result.objects.get(application=application).total
    svc.area_substitution_confirm(
        application=application, area=area, certificate=cert, by=admin_user
    )
    assert Result.objects.get(application=application).total != before
    out, _ = run("verify_results", "test-2026")
    assert out.strip() == "평가 주기 test-2026: 결과 2건이 모두 재계산 값과 같습니다."


def test_verify_results_checks_sheet_hashes(scored, application, panel):
    ItemScore.objects.filter(
        sheet__assignment__application=application,
        sheet__assignment__evaluator=panel[1],
        item__code="A.1.1",
    ).update(strength="나중에 바꾼 의견")
    _, err = refused("verify_results", "test-2026")
    assert err.splitlines() == [
        f"신청 {application.pk} (한빛잡정보) evaluator9: 평가표 내용이 확정 시점의 봉인(HMAC)과 다릅니다",
        f"신청 {application.pk} (한빛잡정보) evaluator9 A.1.1: 저장된 값이 점수 이력의 마지막 값과 "
        "다릅니다 (강점 의견)",
    ]
    out, _ = run("verify_results", "test-2026", "--no-hashes")
    assert "모두 재계산 값과 같습니다" in out


def test_verify_results_reports_a_missing_result(scored, application):
    Result.objects.filter(application=application).delete()
    _, err = refused("verify_results", "test-2026", "--no-hashes")
    assert f"신청 {application.pk} (한빛잡정보): 저장된 결과가 없습니다 (재계산 총점 152.00)" in err


# --- import_scores ---------------------------------------------------------------------------


@pytest.fixture
def paper(application, panel, admin_user):
    """Three active, cleared assignments on 한빛잡정보 with no sheet yet."""
    for user in panel:
        Assignment.objects.create(
            application=application,
            evaluator=user,
            assigned_by=admin_user,
            declaration=Declaration.NONE,
        )
    open_for_scoring(application.cycle, admin_user)  # paper sheets too: 서류심사 (ADR 011)
    application.refresh_from_db()
    return application


def _paper_csv(
    application, path, *, grade="A", confirmed="true", evaluators=("evaluator1",), extra=""
):
    items = list(application.cycle.rubric_version.items.order_by("indicator__area__order", "order"))
    lines = [HEADER + (",strength,improvement" if extra else "")]
    for username in evaluators:
        for item in items:
            row = f"{application.pk},한빛잡정보,{username},{item.code},grade,{grade},,{confirmed}"
            lines.append(row + (f",{extra},개선 필요" if extra else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _state():
    return (
        ItemScore.objects.count(),
        ScoreAudit.objects.count(),
        Sheet.objects.filter(status=SheetStatus.CONFIRMED).count(),
        Result.objects.count(),
    )


def test_import_paper_sheets_saves_confirms_audits_and_recomputes(paper, admin_user, tmp_path):
    source = _paper_csv(
        paper, tmp_path / "paper.csv", evaluators=("evaluator1", "evaluator9"), extra="우수"
    )
    out, _ = run("import_scores", str(source), "--by", admin_user.username)
    assert (
        out.strip()
        == "paper.csv: 점수 38건을 저장하고 평가표 2건을 확정했습니다 (이미 같은 값인 행 0건)."
    )
    assert ItemScore.objects.filter(sheet__assignment__application=paper).count() == 38
    audit = ScoreAudit.objects.filter(action=AuditAction.IMPORT)
    assert audit.count() == 38 + 2 and {a.actor for a in audit} == {admin_user}
    assert Result.objects.get(application=paper).total == Decimal("152")
    # importing the same file again changes nothing (the sheets are confirmed, values equal)
    again, _ = run("import_scores", str(source), "--by", admin_user.username)
    assert "점수 0건을 저장하고 평가표 0건을 확정했습니다 (이미 같은 값인 행 38건)" in again


def test_export_then_import_is_a_no_op(scored, admin_user, tmp_path):
    target = tmp_path / "round.csv"
    run("export_scores", "test-2026", "-o", str(target))
    before = _state()
    out, _ = run("import_scores", str(target), "--by", admin_user.username)
    assert "이미 같은 값인 행 114건" in out
    assert _state() == before


def test_import_an_xlsx_file(paper, admin_user, tmp_path):
    csv_file = _paper_csv(paper, tmp_path / "p.csv", confirmed="false")
    book = Workbook()
    for row in csv.reader(csv_file.read_text(encoding="utf-8").splitlines()):
        book.active.append([int(c) if c.isdigit() else c for c in row])
    book.save(tmp_path / "p.xlsx")
    out, _ = run("import_scores", str(tmp_path / "p.xlsx"), "--by", admin_user.username)
    assert "점수 19건을 저장하고 평가표 0건을 확정했습니다" in out
    assert Sheet.objects.get(assignment__evaluator__username="evaluator1").status == "draft"


@pytest.mark.parametrize(
    ("line", "replace", "message"),
    [
        (2, ("grade,A,", "grade,Z,"), "2행 entered 열: A.1.1: 'Z' 등급은 척도에 없습니다"),
        (
            3,
            ("grade,A,,", "grade,A,7,"),
            "3행 points 열: 점수(7)가 입력값(A)으로 계산한 점수(8)와 다릅니다.",
        ),
        (
            4,
            ("한빛잡정보,evaluator1", "다른기관,evaluator1"),
            "4행 institution 열: '다른기관' 기관은 신청 {pk}의 기관(한빛잡정보)과 다릅니다.",
        ),
        (
            5,
            (",evaluator1,", ",nobody,"),
            "5행 evaluator 열: 'nobody' 평가위원은 신청 {pk}에 배정되어 있지 않습니다.",
        ),
        (
            6,
            (",grade,", ",points,"),
            "6행 method 열: B.1.1의 채점 방식은 'grade'입니다 (파일: 'points').",
        ),
        (
            7,
            ("B.1.2", "Z.9.9"),
            "7행 item_code 열: 'Z.9.9' 항목은 이 평가 주기의 평가지표에 없습니다.",
        ),
        (8, (",true", ",maybe"), "8행 confirmed 열: 'maybe' 값은 true 또는 false여야 합니다."),
        (
            9,
            ("{pk},", "x{pk},"),
            "9행 application_id 열: 'x{pk}' 값은 신청 번호(정수)가 아닙니다.",
        ),
        (10, ("grade,A,", "grade,,"), "10행 entered 열: 입력값이 비어 있습니다."),
        (
            11,
            (",true", ",false"),
            "11행 confirmed 열: 같은 평가표의 2행과 다릅니다 (한 평가표의 행은 모두 같아야 합니다).",
        ),
    ],
)
def test_a_malformed_row_is_named_by_line_and_column_and_nothing_is_written(
    paper, admin_user, tmp_path, line, replace, message
):
    source = _paper_csv(paper, tmp_path / "bad.csv", extra="우수")
    lines = source.read_text(encoding="utf-8").splitlines()
    old, new = (part.format(pk=paper.pk) for part in replace)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _state()
    summary, err = refused("import_scores", str(source), "--by", admin_user.username)
    assert (
        summary == "1건의 문제로 가져오기를 거부했습니다 (전체 19행). 아무것도 저장하지 않았습니다."
    )
    assert err.strip() == message.format(pk=paper.pk)
    assert _state() == before


def test_a_duplicate_row_a_recused_evaluator_and_a_confirmed_sheet_are_refused(
    scored, application, panel, admin_user, tmp_path
):
    lines = [
        HEADER,
        f"{application.pk},한빛잡정보,evaluator1,A.1.1,grade,C,,true",  # confirmed sheet changed
        f"{application.pk},한빛잡정보,evaluator7,A.1.1,grade,C,,false",  # recused
        f"{application.pk},한빛잡정보,evaluator9,A.1.1,grade,A,,true",  # same as stored: fine
        f"{application.pk},한빛잡정보,evaluator9,A.1.1,grade,A,,true",  # duplicate
    ]
    source = tmp_path / "mixed.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _state()
    _, err = refused("import_scores", str(source), "--by", admin_user.username)
    assert err.splitlines() == [
        f"2행: 평가위원 'evaluator1'의 신청 {application.pk} 평가표는 이미 확정되어 바꿀 수 없습니다. 관리자가 확정 해제한 뒤 가져오십시오.",
        "3행 evaluator 열: 평가위원 'evaluator7'의 배정은 배제(회피)되어 점수를 가져올 수 없습니다.",
        "5행: 4행과 같은 (신청, 평가위원, 항목)입니다 — 한 번만 쓸 수 있습니다.",
    ]
    assert _state() == before


def test_an_incomplete_confirmed_sheet_is_refused_and_rolled_back(paper, admin_user, tmp_path):
    source = _paper_csv(paper, tmp_path / "short.csv", extra="우수")
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")  # E.1.2, E.1.3 missing
    before = _state()
    _, err = refused("import_scores", str(source), "--by", admin_user.username)
    assert err.startswith(
        "2행 confirmed 열: 평가위원 'evaluator1'의 신청 "
        f"{paper.pk} 평가표를 확정할 수 없습니다 — 입력이 끝나지 않은 항목이 2개 있어 확정하지 않았습니다."
    )
    assert _state() == before


def test_import_needs_an_admin_and_the_right_header(paper, admin_user, manager, tmp_path):
    source = _paper_csv(paper, tmp_path / "p.csv")
    assert refused("import_scores", str(source))[0] == (
        "--by 에 가져오기를 하는 관리자의 아이디를 지정하십시오."
    )
    assert refused("import_scores", str(source), "--by", manager.username)[0] == (
        "--by 'manager1': 활성 관리자 계정이 아닙니다."
    )
    bad = tmp_path / "h.csv"
    bad.write_text(
        "application_id,institution,evaluator,item,method,entered,points,confirmed,memo\n",
        encoding="utf-8",
    )
    message, _ = refused("import_scores", str(bad), "--by", admin_user.username)
    assert message.splitlines() == [
        "1행: 열 이름이 다릅니다. 처음 열은 차례대로 application_id, institution, evaluator, item_code, method, entered, points, confirmed 이어야 합니다 (파일: application_id, institution, evaluator, item, method, entered, points, confirmed).",
        "1행 9번째 열: 알 수 없는 열 'memo'입니다.",
        "아무것도 저장하지 않았습니다.",
    ]
    assert refused("import_scores", str(tmp_path / "missing.csv"), "--by", admin_user.username)[
        0
    ] == (f"'{tmp_path / 'missing.csv'}' 파일을 찾을 수 없습니다.")
