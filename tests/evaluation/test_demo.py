"""The demo data: cycle demo-2026 on the published seed rubric, five applications with real
evidence files, one institution with a valid ISMS certificate."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from evaluation.models import Application, Cycle, EvidenceFile, FileState, Stage
from evaluation.sniff import sniff
from indicators.models import VersionStatus
from institutions.models import Certificate

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_demo_cycle_and_is_idempotent(_uploads_in_tmp):
    call_command("seed_demo", stdout=io.StringIO())
    cycle = Cycle.objects.get(slug="demo-2026")
    assert cycle.rubric_version.status == VersionStatus.PUBLISHED
    assert cycle.rubric_version.items.count() == 19
    assert cycle.stage == Stage.APPLICATION
    apps = {a.institution.memberships.get().user.username: a for a in cycle.applications.all()}
    assert sorted(apps) == ["inst1", "inst2", "inst3", "inst4", "inst5"]
    assert {u: a.status for u, a in apps.items()} == {
        "inst1": "draft",
        "inst2": "submitted",
        "inst3": "submitted",
        "inst4": "submitted",
        "inst5": "draft",
    }
    for application in apps.values():
        attached = (
            EvidenceFile.objects.filter(application=application, state=FileState.CURRENT)
            .values("evidence__item")
            .distinct()
            .count()
        )
        assert attached >= 14  # most of the 19 items
    # inst1 leaves A.1.1 for the newcomer to upload.
    assert not EvidenceFile.objects.filter(
        application=apps["inst1"], evidence__item__code="A.1.1"
    ).exists()
    # Every stored file is real: its bytes exist and sniff as the recorded kind.
    files = list(EvidenceFile.objects.all())
    assert {f.kind for f in files} == {"pdf", "xlsx", "png"}
    for f in files:
        with default_storage.open(f.storage_key, "rb") as handle:
            assert sniff(handle).kind == f.kind
    cert = Certificate.objects.get(kind="ISMS")
    assert cert.institution == apps["inst3"].institution
    assert cert.is_valid_on(cycle.reference_date)
    assert cert.file.name.startswith("certificates/")

    counts = (Cycle.objects.count(), Application.objects.count(), EvidenceFile.objects.count())
    stored = sorted(p for p in _uploads_in_tmp.rglob("*") if p.is_file())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Cycle.objects.count(),
        Application.objects.count(),
        EvidenceFile.objects.count(),
    ) == counts
    assert sorted(p for p in _uploads_in_tmp.rglob("*") if p.is_file()) == stored


def test_reseeding_an_old_demo_database_reopens_its_deadline(_uploads_in_tmp):
    from datetime import timedelta

    from django.utils import timezone

    call_command("seed_demo", stdout=io.StringIO())
    Cycle.objects.filter(slug="demo-2026").update(
        evidence_deadline=timezone.now() - timedelta(days=40)
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert Cycle.objects.get(slug="demo-2026").evidence_deadline > timezone.now() + timedelta(
        days=20
    )
