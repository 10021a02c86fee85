"""List pages and the checklist run a constant number of queries: the same for 5 and 50
applications, 19 and 190 items, 5 and 50 log rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    AccessPurpose,
    Application,
    Evidence,
    EvidenceAccess,
    EvidenceFile,
    Stage,
)

from ..factories import build_rubric

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions) so both sizes start equal
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _attach(application, items, by, per_item=2):
    """Evidence rows and file rows without going through storage (bytes are not read here)."""
    evidences = Evidence.objects.bulk_create(
        Evidence(application=application, item=item, narrative=f"{item.code} 설명", updated_by=by)
        for item in items
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=evidence,
            application=application,
            original_name=f"{evidence.item.code}-{n}.pdf",
            storage_key=f"evidence/q/{application.pk}-{evidence.pk}-{n}",
            size=100 + n,
            sha256=f"{application.pk:08d}{evidence.pk:08d}{n:048d}",
            kind="pdf",
            uploaded_by=by,
        )
        for evidence in evidences
        for n in range(per_item)
    )


def _cycle(version, admin, slug="q"):
    cycle = services.cycle_create(
        by=admin,
        title=f"주기 {slug}",
        slug=slug,
        rubric_version=version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=3),
        pass_threshold=Decimal("1"),
    )
    return services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)


@pytest.mark.parametrize("n_items", [19, 190])
def test_checklist_and_item_page(n_items, client_for, member, institution, admin_user):
    version = build_rubric(n_items=n_items, code=f"r{n_items}")
    cycle = _cycle(version, admin_user)
    application = services.application_create(cycle=cycle, institution=institution, by=member)
    items = list(version.items.all())
    _attach(application, items[: n_items - 3], member, per_item=2)
    client = client_for(member)
    item_url = reverse("evaluation:item_evidence", args=[application.pk, items[0].code])
    counts = {
        "checklist": _count(client, reverse("evaluation:checklist", args=[application.pk])),
        "submit": _count(client, reverse("evaluation:submit", args=[application.pk])),
        "item": _count(client, item_url),
        "checklist (admin)": _count(
            client_for(admin_user), reverse("evaluation:checklist", args=[application.pk])
        ),
    }
    # +1 on every page since the notifications bell (issue 13); the item page also lists the
    # files that could be linked from other items (issue 14)
    assert counts == {"checklist": 12, "submit": 10, "item": 11, "checklist (admin)": 11}


@pytest.mark.parametrize("n_apps", [5, 50])
def test_admin_application_list_and_cycle_list(
    n_apps, client_for, admin_user, member, make_institution
):
    version = build_rubric()
    items = list(version.items.all())
    cycles = [_cycle(version, admin_user, slug=f"c{i}") for i in range(3 if n_apps == 5 else 30)]
    apps = Application.objects.bulk_create(
        Application(cycle=cycles[0], institution=make_institution(), created_by=member)
        for _ in range(n_apps)
    )
    for app in apps:
        _attach(app, items[:10], member, per_item=1)
    client = client_for(admin_user)
    counts = {
        "applications": _count(
            client, reverse("evaluation:cycle_applications", args=[cycles[0].slug])
        ),
        "cycles": _count(client, reverse("evaluation:cycle_list")),
        "home": _count(client, reverse("home")),
    }
    assert counts == {"applications": 7, "cycles": 5, "home": 6}  # each + the bell's count


@pytest.mark.parametrize("n_rows", [5, 50])
def test_access_log(n_rows, client_for, manager, application, member):
    items = list(application.cycle.rubric_version.items.all())
    _attach(application, items[:5], member, per_item=1)
    files = list(EvidenceFile.objects.all())
    EvidenceAccess.objects.bulk_create(
        EvidenceAccess(
            file=files[i % len(files)],
            application=application,
            user=member,
            purpose=AccessPurpose.DOWNLOAD,
            ip="127.0.0.1",
        )
        for i in range(n_rows)
    )
    client = client_for(manager)
    assert _count(client, reverse("evaluation:access_log")) == 6  # 5 + the bell's count


@pytest.mark.parametrize("n_cycles", [1, 6])
def test_portal_and_institution_home(n_cycles, client_for, member, institution, admin_user):
    version = build_rubric()
    items = list(version.items.all())
    for i in range(n_cycles):
        cycle = _cycle(version, admin_user, slug=f"p{i}")
        if i % 2 == 0:
            app = services.application_create(cycle=cycle, institution=institution, by=member)
            _attach(app, items[:7], member)
    client = client_for(member)
    counts = {
        "portal": _count(client, reverse("evaluation:portal")),
        "home": _count(client, reverse("home")),
    }
    # +1 for the notifications bell (issue 13); the portal also lists the 인증서 (ADR 017)
    assert counts == {"portal": 8, "home": 7}
