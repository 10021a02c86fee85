"""Every action that changes a score leaves exactly one audit row, with the right old and new
values -- and the actions that change nothing, or are refused, leave none.

The score-changing actions the product has (found by looking for every write to ``ItemScore``
and ``Sheet``; there is no admin screen for them and no other writer):

- the evaluator's autosave (htmx) and the no-JS 저장 of an item: a first entry, a changed
  entry, changed comments, a cleared entry -- one ``save`` row each;
- 확정 with the password: one ``confirm`` row; 확정 해제 by an admin: one ``unlock`` row;
- ``import_scores`` (paper sheets, through ``score_record`` / ``sheet_confirm_imported``): one
  ``import`` row per changed or new score and one per sheet it confirms.

The result-side actions -- the 인증위원회 decision, an area substitution, an exclusion (제척),
a cycle recompute -- change results, not scores: they leave the scores and the trail alone and
record who and when on their own rows (checked at the end).

Expected values are written out here, not derived from the services' own snapshot function.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from evaluation.models import (
    AreaSubstitution,
    Assignment,
    AuditAction,
    ItemScore,
    Result,
    ScoreAudit,
    Sheet,
    SheetStatus,
    Stage,
)
from evaluation.services.assignment import assignment_create, assignment_disqualify
from evaluation.services.results import (
    area_substitution_confirm,
    cycle_results_recompute,
    result_committee_decide,
)
from evaluation.services.sheet import sheet_confirm, sheet_unlock
from institutions.models import Certificate

from ..conftest import PASSWORD
from ..process import set_stage
from .sheet_data import fill, mixed_rubric

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# fill() on the mixed rubric: 16 grade items at A (8) + A.1.2 7.5 + A.1.3 85 % (8) + A.1.4 one
# case (-3).
FILLED_TOTAL = "140.5"


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


def _save(client, assignment, code, data, htmx=True):
    url = reverse("evaluation:score_save", args=[assignment.pk, code])
    return client.post(url, data, headers=HTMX if htmx else {})


def _rows_after(last_pk: int) -> list[ScoreAudit]:
    return list(ScoreAudit.objects.filter(pk__gt=last_pk).order_by("pk"))


def _last_pk() -> int:
    last = ScoreAudit.objects.order_by("pk").last()
    return last.pk if last else 0


def _one_row_after(last_pk: int) -> ScoreAudit:
    rows = _rows_after(last_pk)
    assert len(rows) == 1, [(r.action, r.item and r.item.code) for r in rows]
    return rows[0]


def _score(code: str, evaluator=None) -> ItemScore:
    scores = ItemScore.objects.filter(item__code=code)
    if evaluator is not None:
        scores = scores.filter(sheet__assignment__evaluator=evaluator)
    return scores.get()


def _snapshot(entry, points, strength, improvement, version) -> dict:
    return {
        "entry": entry,
        "points": points,
        "strength": strength,
        "improvement": improvement,
        "version": version,
    }


# --- autosave / save -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "field", "typed", "entry", "points"),
    [
        ("A.1.1", "grade", "A", "A", "8"),
        ("A.1.2", "value", "7.5", "7.5", "7.5"),
        ("A.1.3", "value", "85", "85", "8"),
        ("A.1.4", "count", "2", "2", "-6"),
    ],
    ids=["grade", "points", "bands", "penalty"],
)
def test_first_autosave_writes_one_row_from_nothing(
    client_for, cleared_assignment, code, field, typed, entry, points
):
    last = _last_pk()
    response = _save(
        client_for(cleared_assignment.evaluator),
        cleared_assignment,
        code,
        {"version": 0, field: typed, "strength": "근거 충분"},
    )
    assert response.status_code == 200
    row = _one_row_after(last)
    assert (row.action, row.item.code, row.actor, row.reason) == (
        AuditAction.SAVE,
        code,
        cleared_assignment.evaluator,
        "",
    )
    assert row.sheet == Sheet.objects.get(assignment=cleared_assignment)
    assert row.old is None
    assert row.new == _snapshot(entry, points, "근거 충분", "", 1)


def test_changing_entry_and_comments_writes_one_row_with_old_and_new(
    client_for, cleared_assignment
):
    client = client_for(cleared_assignment.evaluator)
    _save(client, cleared_assignment, "A.1.1", {"version": 0, "grade": "A", "strength": "첫 의견"})
    last = _last_pk()
    response = _save(
        client,
        cleared_assignment,
        "A.1.1",
        {"version": 1, "grade": "S", "strength": "고친 의견", "improvement": "보완 필요"},
    )
    assert response.status_code == 200
    row = _one_row_after(last)
    assert row.old == _snapshot("A", "8", "첫 의견", "", 1)
    assert row.new == _snapshot("S", "10", "고친 의견", "보완 필요", 2)
    assert _score("A.1.1").version == 2


def test_no_js_save_is_audited_too(client_for, cleared_assignment):
    last = _last_pk()
    response = _save(
        client_for(cleared_assignment.evaluator),
        cleared_assignment,
        "A.1.2",
        {"version": 0, "value": "6.5", "improvement": "보완"},
        htmx=False,
    )
    assert response.status_code == 302
    row = _one_row_after(last)
    assert (row.action, row.item.code) == (AuditAction.SAVE, "A.1.2")
    assert (row.old, row.new) == (None, _snapshot("6.5", "6.5", "", "보완", 1))


def test_changing_only_a_comment_writes_one_row(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    _save(client, cleared_assignment, "A.1.4", {"version": 0, "count": "1", "strength": "a"})
    last = _last_pk()
    _save(client, cleared_assignment, "A.1.4", {"version": 1, "count": "1", "strength": "b"})
    row = _one_row_after(last)
    assert row.old == _snapshot("1", "-3", "a", "", 1)
    assert row.new == _snapshot("1", "-3", "b", "", 2)


def test_clearing_a_score_writes_one_row(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    _save(client, cleared_assignment, "A.1.2", {"version": 0, "value": "7.5", "strength": "x"})
    last = _last_pk()
    response = _save(client, cleared_assignment, "A.1.2", {"version": 1, "value": ""})
    assert response.status_code == 200
    row = _one_row_after(last)
    assert row.old == _snapshot("7.5", "7.5", "x", "", 1)
    assert row.new == _snapshot(None, None, "", "", 2)
    stored = _score("A.1.2")
    assert (stored.value, stored.points, stored.strength) == (None, None, "")


def test_saving_the_same_values_again_writes_nothing(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    _save(
        client,
        cleared_assignment,
        "A.1.3",
        {"version": 0, "value": "85", "strength": "줄1\n줄2"},
    )
    last = _last_pk()
    # The same number written differently, the same comment with CR LF line ends.
    for typed in ("85", "85.0", "85.0000", " 85 "):
        data = {"version": 1, "value": typed, "strength": "줄1\r\n줄2"}
        assert _save(client, cleared_assignment, "A.1.3", data).status_code == 200
    assert _rows_after(last) == []
    assert _score("A.1.3").version == 1


def test_refused_and_stale_saves_write_nothing(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    _save(client, cleared_assignment, "A.1.1", {"version": 0, "grade": "B"})
    last = _last_pk()
    refused = [
        ("A.1.1", {"version": 1, "grade": "Q"}, 422),
        ("A.1.2", {"version": 0, "value": "10.25"}, 422),
        ("A.1.4", {"version": 0, "count": "1e1000000"}, 422),
        ("A.1.1", {"version": 1, "grade": "A", "strength": "\x00"}, 422),
        ("A.1.1", {"version": "x", "grade": "A"}, 422),
        ("A.1.1", {"version": 0, "grade": "A"}, 409),
    ]
    for code, data, status in refused:
        assert _save(client, cleared_assignment, code, data).status_code == status, data
    assert _rows_after(last) == []
    assert _score("A.1.1").grade == "B"


# --- 확정 and 확정 해제 ---------------------------------------------------------------------


def test_confirm_writes_one_row(client_for, cleared_assignment):
    fill(cleared_assignment)
    client = client_for(cleared_assignment.evaluator)
    last = _last_pk()
    url = reverse("evaluation:sheet_confirm", args=[cleared_assignment.pk])
    assert client.post(url, {"password": "wrong"}).status_code == 400
    assert _rows_after(last) == []
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    row = _one_row_after(last)
    sheet = Sheet.objects.get()
    assert (row.action, row.item, row.actor, row.reason) == (
        AuditAction.CONFIRM,
        None,
        cleared_assignment.evaluator,
        "",
    )
    assert row.old == {"status": "draft"}
    assert row.new == {
        "status": "confirmed",
        "content_hash": sheet.content_hash,
        "total": FILLED_TOTAL,
    }
    assert len(sheet.content_hash) == 64


def test_unlock_writes_one_row(client_for, cleared_assignment, admin_user):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    confirmed = Sheet.objects.get()
    last = _last_pk()
    url = reverse("evaluation:sheet_unlock", args=[cleared_assignment.pk])
    client = client_for(admin_user)
    assert client.post(url, {"reason": "  "}).status_code == 302  # refused: no reason
    assert _rows_after(last) == []
    assert client.post(url, {"reason": "A.1.1 재검토"}).status_code == 302
    row = _one_row_after(last)
    assert (row.action, row.item, row.actor, row.reason) == (
        AuditAction.UNLOCK,
        None,
        admin_user,
        "A.1.1 재검토",
    )
    assert row.old == {
        "status": "confirmed",
        "confirmed_at": confirmed.confirmed_at.isoformat(),
        "content_hash": confirmed.content_hash,
    }
    assert row.new == {"status": "draft"}
    assert Sheet.objects.get().status == SheetStatus.DRAFT


def test_change_after_unlock_and_confirm_again(client_for, cleared_assignment, admin_user):
    fill(cleared_assignment)
    evaluator = cleared_assignment.evaluator
    sheet_confirm(assignment=cleared_assignment, by=evaluator, password=PASSWORD)
    first_hash = Sheet.objects.get().content_hash
    sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="재검토")
    last = _last_pk()
    client = client_for(evaluator)
    data = {"version": 1, "grade": "S", "strength": "근거가 충분함"}
    assert _save(client, cleared_assignment, "A.1.1", data).status_code == 200
    url = reverse("evaluation:sheet_confirm", args=[cleared_assignment.pk])
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    save, confirm = _rows_after(last)
    assert (save.action, save.item.code) == (AuditAction.SAVE, "A.1.1")
    assert save.old == _snapshot("A", "8", "근거가 충분함", "", 1)
    assert save.new == _snapshot("S", "10", "근거가 충분함", "", 2)
    second_hash = Sheet.objects.get().content_hash
    assert second_hash != first_hash
    assert confirm.action == AuditAction.CONFIRM
    assert confirm.new == {"status": "confirmed", "content_hash": second_hash, "total": "142.5"}


# --- import_scores ---------------------------------------------------------------------------

HEADER = "application_id,institution,evaluator,item_code,method,entered,points,confirmed"


def _import(tmp_path, admin_user, lines, name="paper.csv"):
    source = tmp_path / name
    source.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_scores", str(source), "--by", admin_user.username, stdout=out)
    return out.getvalue()


def test_import_writes_one_row_per_changed_score_and_per_confirm(
    cleared_assignment, other_evaluator, admin_user, tmp_path
):
    """evaluator1's sheet is filled (draft): the file changes A.1.1 and A.1.4, repeats A.1.2
    and confirms the sheet. evaluator9, assigned but never scored, gets A.1.1 from paper."""
    fill(cleared_assignment)
    application = cleared_assignment.application
    assignment_create(application=application, evaluator=other_evaluator, by=admin_user)
    pk = application.pk
    last = _last_pk()
    out = _import(
        tmp_path,
        admin_user,
        [
            f"{pk},한빛잡정보,evaluator1,A.1.1,grade,S,10,true",
            f"{pk},한빛잡정보,evaluator1,A.1.2,points,7.5,7.5,true",
            f"{pk},한빛잡정보,evaluator1,A.1.4,penalty,0,0,true",
            f"{pk},한빛잡정보,evaluator9,A.1.1,grade,B,,false",
        ],
    )
    assert "점수 3건을 저장하고 평가표 1건을 확정했습니다 (이미 같은 값인 행 1건)" in out
    rows = _rows_after(last)
    assert [(r.action, r.item and r.item.code, r.actor) for r in rows] == [
        (AuditAction.IMPORT, "A.1.1", admin_user),
        (AuditAction.IMPORT, "A.1.4", admin_user),
        (AuditAction.IMPORT, "A.1.1", admin_user),
        (AuditAction.IMPORT, None, admin_user),
    ]
    a11, a14, other, confirm = rows
    assert a11.old == _snapshot("A", "8", "근거가 충분함", "", 1)
    assert a11.new == _snapshot("S", "10", "근거가 충분함", "", 2)
    assert a14.old == _snapshot("1", "-3", "근거가 충분함", "", 1)
    assert a14.new == _snapshot("0", "0", "근거가 충분함", "", 2)
    assert other.sheet.assignment.evaluator == other_evaluator
    assert (other.old, other.new) == (None, _snapshot("B", "6", "", "", 1))
    sheet = Sheet.objects.get(assignment=cleared_assignment)
    assert confirm.sheet == sheet and sheet.status == SheetStatus.CONFIRMED
    assert confirm.reason == "종이 평가표 가져오기 (paper.csv)"
    assert confirm.old == {"status": "draft"}
    # 140.5 with A.1.1 at S (+2) and A.1.4 at no case (+3)
    assert confirm.new == {
        "status": "confirmed",
        "content_hash": sheet.content_hash,
        "total": "145.5",
    }
    # importing the same file again changes nothing and records nothing
    last = _last_pk()
    _import(tmp_path, admin_user, [f"{pk},한빛잡정보,evaluator9,A.1.1,grade,B,,false"], "again.csv")
    assert _rows_after(last) == []


def test_a_refused_import_writes_nothing(cleared_assignment, admin_user, tmp_path):
    fill(cleared_assignment)
    pk = cleared_assignment.application_id
    before = (_last_pk(), sorted(ItemScore.objects.values_list("pk", "version")))
    with pytest.raises(CommandError):
        _import(
            tmp_path,
            admin_user,
            [
                f"{pk},한빛잡정보,evaluator1,A.1.1,grade,S,,false",  # fine on its own
                f"{pk},한빛잡정보,evaluator1,A.1.4,penalty,1e1000000,,false",
            ],
        )
    assert (_last_pk(), sorted(ItemScore.objects.values_list("pk", "version"))) == before


# --- result-side actions: no score changes, nothing in the score trail -----------------------


def test_result_actions_leave_scores_and_the_trail_alone(
    cleared_assignment, admin_user, institution
):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    application = cleared_assignment.application

    def scores():
        return (
            sorted(ItemScore.objects.values_list("pk", "points", "version")),
            list(Sheet.objects.values_list("status", "content_hash")),
            _last_pk(),
        )

    before = scores()
    assert Result.objects.get().total == Decimal(FILLED_TOTAL)
    set_stage(application.cycle, Stage.COMMITTEE)  # where the committee decides (ADR 011)
    result = result_committee_decide(result=Result.objects.get(), by=admin_user)
    assert (result.committee_decision, result.committee_by) == (result.decision, admin_user)
    cycle_results_recompute(cycle=application.cycle)
    certificate = Certificate.objects.create(
        institution=institution,
        kind="ISMS",
        number="ISMS-KISA-9",
        issuer="KISA",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    area = application.cycle.rubric_version.areas.get(code="D")
    area_substitution_confirm(
        application=application, area=area, certificate=certificate, by=admin_user
    )
    assert AreaSubstitution.objects.get().confirmed_by == admin_user
    # area D (4 items at 8) now counts 40 × 1.0: the result moved, the scores did not
    assert Result.objects.get().total == Decimal(FILLED_TOTAL) - 32 + 40
    assignment_disqualify(assignment=cleared_assignment, reason="제척 사유", by=admin_user)
    assert Assignment.objects.get(pk=cleared_assignment.pk).excluded_by == admin_user
    assert Result.objects.get().total is None  # no sheet counts any more
    after = scores()
    assert after[:2] == before[:2]
    # the one trail row: the confirmed sheet leaving the result, with who and why (ADR 011)
    [exclusion] = ScoreAudit.objects.filter(pk__gt=before[2])
    assert (exclusion.action, exclusion.actor, exclusion.reason) == (
        AuditAction.EXCLUDE,
        admin_user,
        "제척 사유",
    )
