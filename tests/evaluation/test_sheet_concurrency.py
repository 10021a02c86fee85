"""Two tabs save the same item with the same version at the same time, on real separate
database connections (threads, PostgreSQL): exactly one save wins, the other gets the
conflict, and exactly one audit row is written.

Needs PostgreSQL (``DATABASE_URL``): SQLite ignores ``SELECT … FOR UPDATE`` and its test
database is an in-memory shared cache, so the interleaving proved here cannot happen there.
Skipped on SQLite; under ``REQUIRE_SERVICES=1`` (CI) it fails instead.
"""

import threading

import pytest
from django.db import connection, transaction

from evaluation.models import AuditAction, ItemScore, ScoreAudit, Sheet
from evaluation.services.sheet import StaleScoreError, score_record
from indicators.models import Item

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _item(assignment, code="A.1.1"):
    return Item.objects.select_related("indicator", "version").get(
        version_id=assignment.application.cycle.rubric_version_id, code=code
    )


def _run(workers):
    threads = [threading.Thread(target=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a save never finished (deadlock?)"


def _saver(assignment, item, version, grade, outcomes, barrier=None, before=None, hold=None):
    def work():
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            if before is not None:
                assert before.wait(timeout=10)
            with transaction.atomic():
                row = score_record(
                    assignment=assignment,
                    item=item,
                    by=assignment.evaluator,
                    version=version,
                    entry=grade,
                    strength=f"{grade} 탭",
                )
                if hold is not None:
                    hold.set()  # the sheet row is locked until this transaction commits
                    threading.Event().wait(0.5)
            outcomes.append(("saved", grade, row.version))
        except StaleScoreError as exc:
            outcomes.append(("stale", grade, exc.current.version if exc.current else 0))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(("error", grade, repr(exc)))
            if hold is not None:
                hold.set()
        finally:
            connection.close()

    return work


def test_first_save_race_on_a_new_sheet(postgres_required, cleared_assignment):
    """Both tabs open an untouched sheet (version 0) and save at the same instant: the sheet
    and the row are created once; one save wins, the other is told about it."""
    item = _item(cleared_assignment)
    barrier = threading.Barrier(2)
    outcomes: list = []
    _run(
        [
            _saver(cleared_assignment, item, 0, "A", outcomes, barrier=barrier),
            _saver(cleared_assignment, item, 0, "C", outcomes, barrier=barrier),
        ]
    )
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["saved", "stale"], outcomes
    winner = next(o for o in outcomes if o[0] == "saved")
    loser = next(o for o in outcomes if o[0] == "stale")
    assert loser[2] == 1  # the conflict carries the winner's stored row
    assert Sheet.objects.count() == 1
    row = ItemScore.objects.get()
    assert (row.grade, row.version) == (winner[1], 1)
    assert ScoreAudit.objects.filter(action=AuditAction.SAVE).count() == 1


def test_overlapping_saves_wait_for_the_lock_and_the_second_is_refused(
    postgres_required, cleared_assignment
):
    """Tab 1 saves and holds its transaction open; tab 2 saves the same row with the same
    version meanwhile. Tab 2 waits on the sheet lock, then sees the new version and is
    refused; tab 1's value stands."""
    item = _item(cleared_assignment)
    score_record(
        assignment=cleared_assignment,
        item=item,
        by=cleared_assignment.evaluator,
        version=0,
        entry="B",
        strength="처음",
    )
    locked = threading.Event()
    outcomes: list = []
    _run(
        [
            _saver(cleared_assignment, item, 1, "S", outcomes, hold=locked),
            _saver(cleared_assignment, item, 1, "D", outcomes, before=locked),
        ]
    )
    assert sorted(outcomes) == [("saved", "S", 2), ("stale", "D", 2)], outcomes
    row = ItemScore.objects.get()
    assert (row.grade, row.strength, row.version) == ("S", "S 탭", 2)
    assert ScoreAudit.objects.filter(action=AuditAction.SAVE).count() == 2  # first save + winner
