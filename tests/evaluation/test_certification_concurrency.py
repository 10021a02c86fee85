"""Certificate numbering under concurrent issue, on real separate PostgreSQL connections
(threads): two cycles of the same programme enter 확정 at the same instant; every certificate
gets its own number and the numbers run 1..n without a gap.

Needs PostgreSQL (``DATABASE_URL``): SQLite serialises every writer and ignores
``SELECT … FOR UPDATE``, so the race proved here cannot happen there. Skipped on SQLite;
under ``REQUIRE_SERVICES=1`` (CI) it fails instead.
"""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from evaluation import services
from evaluation.models import Application, Certification, CertificationCounter, Stage
from evaluation.services.certification import certifications_issue_for_cycle

from .certification_data import with_result

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PER_CYCLE = 4


def _cycle(admin, rubric_version, slug):
    cycle = services.cycle_create(
        by=admin,
        title=slug,
        slug=slug,
        rubric_version=rubric_version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=100,
    )
    return services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)


def _passing_applications(cycle, make_institution, admin):
    for i in range(PER_CYCLE):
        institution = make_institution(f"{cycle.slug}-기관{i}")
        Application.objects.bulk_create(
            [Application(cycle=cycle, institution=institution, created_by=admin)]
        )
        with_result(Application.objects.get(cycle=cycle, institution=institution))


def _issuer(cycle, by, barrier, outcomes):
    def work():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                issued = certifications_issue_for_cycle(cycle=cycle, by=by, on=date(2026, 12, 5))
                threading.Event().wait(0.2)  # hold the counter's lock a little
            outcomes.append(("ok", [c.number for c in issued]))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    return work


def test_concurrent_issue_never_duplicates_a_number(
    postgres_required, admin_user, rubric_version, make_institution
):
    cycles = [_cycle(admin_user, rubric_version, f"race-{n}") for n in range(3)]
    for cycle in cycles:
        _passing_applications(cycle, make_institution, admin_user)
    barrier = threading.Barrier(len(cycles))
    outcomes: list = []
    threads = [
        threading.Thread(target=_issuer(cycle, admin_user, barrier, outcomes)) for cycle in cycles
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an issue never finished (deadlock?)"
    assert [o[0] for o in outcomes] == ["ok"] * len(cycles), outcomes
    n = PER_CYCLE * len(cycles)
    numbers = sorted(Certification.objects.values_list("number", flat=True))
    assert numbers == [f"제2026-{i:04d}호" for i in range(1, n + 1)]
    counter = CertificationCounter.objects.get(programme=rubric_version.rubric.code, year=2026)
    assert counter.last == n
    # each cycle's certificates got a consecutive block: one transaction held the counter
    for _, issued in outcomes:
        sequences = [int(x[6:10]) for x in issued]
        assert sequences == list(range(sequences[0], sequences[0] + PER_CYCLE))


def test_concurrent_issue_of_the_same_cycle_issues_once(
    postgres_required, admin_user, rubric_version, make_institution
):
    """The gate is run twice at once (a double click that got past the page): each
    application still gets exactly one certificate (the OneToOne), never two numbers."""
    cycle = _cycle(admin_user, rubric_version, "twice")
    _passing_applications(cycle, make_institution, admin_user)
    barrier = threading.Barrier(2)
    outcomes: list = []
    threads = [
        threading.Thread(target=_issuer(cycle, admin_user, barrier, outcomes)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert Certification.objects.filter(cycle=cycle).count() == PER_CYCLE
    numbers = sorted(Certification.objects.values_list("number", flat=True))
    assert numbers == [f"제2026-{i:04d}호" for i in range(1, PER_CYCLE + 1)]
    # the cycle's row lock made the second wait, and then it found everything issued
    assert sorted(outcomes, key=lambda o: len(o[1])) == [("ok", []), ("ok", numbers)]
