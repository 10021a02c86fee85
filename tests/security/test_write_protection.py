"""Write protection: a GET never changes the database, POST-only views refuse GET, and every
POST without a CSRF token is refused (403) with nothing changed.

The database is compared as a snapshot of every table (every row, every column), not as row
counts, so an UPDATE on GET shows too. For the POSTs whose payload below is valid, the same
request with a token is sent afterwards and must change the snapshot: the 403 is then known to
have stopped a real write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils import timezone

from evaluation.models import (
    Application,
    ApplicationStatus,
    Cycle,
    EvidenceAccess,
    Stage,
)
from reports.models import ReportAccess

from ..conftest import PASSWORD
from ..evaluation import files as F
from .conftest import CASES
from .expectations import EXPECTED, NOT_ALLOWED
from .world import PERSONAS, World, url_for, walk_urls

pytestmark = pytest.mark.django_db

ROUTES = [r for r in walk_urls() if r.name in EXPECTED]  # test_permission_matrix fails the rest


@pytest.fixture(autouse=True)
def _uploads_in_tmp(world):
    """Instead of the suite's per-test media dir: this module's world keeps its files in one
    temporary directory for all its tests (see conftest.world)."""
    return world.media


# --- the snapshot --------------------------------------------------------------------------

# Tables left out of the snapshot, each for a stated reason.
NOT_SNAPSHOT = {
    # The test clients' own log-in sessions: a log-out or a flash message changes them; they
    # are no product data.
    Session,
}
# Read logs: opening an evidence file or downloading a report is recorded, by design ("every
# byte leaves through these views: permission-checked, logged"). A GET may append to them;
# the rows already there must not change.
READ_LOGS = {EvidenceAccess, ReportAccess}


def snapshot() -> dict[str, list[tuple]]:
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model in NOT_SNAPSHOT or model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk")
        state[model._meta.label] = list(rows.values_list())
    return state


def changes(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ (read logs: only rows that existed before count)."""
    changed = []
    for label, rows in before.items():
        now = after[label]
        if apps.get_model(label) in READ_LOGS:
            now = now[: len(rows)]
        if rows != now:
            changed.append(f"{label}: {len(rows)} rows → {len(after[label])}")
    return changed


# --- a GET changes nothing -------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_get_changes_nothing(route, world):
    url = url_for(route, world)
    before = snapshot()
    for persona in PERSONAS:
        world.clients[persona].get(url)
        CASES["write protection"] += 1
    changed = changes(before, snapshot())
    assert not changed, f"GET {url} ({route.name}) changed the database: {changed}"


# --- POST-only views refuse GET --------------------------------------------------------------

POST_ONLY = [r for r in ROUTES if EXPECTED[r.name].post_only]


def test_the_walk_finds_the_post_only_views():
    assert len(POST_ONLY) >= 30, [r.name for r in POST_ONLY]


@pytest.mark.parametrize("route", POST_ONLY, ids=lambda r: r.name)
def test_post_only_view_refuses_get(route, world):
    url = url_for(route, world)
    for persona in EXPECTED[route.name].post_allowed():
        response = world.clients[persona].get(url)
        CASES["write protection"] += 1
        assert response.status_code == NOT_ALLOWED.status, (persona, response.status_code)
        assert "POST" in response["Allow"]


# --- POST without a CSRF token -------------------------------------------------------------


def _open_evidence(world) -> None:
    """Institution A's evidence open again (a draft, deadline ahead): the member may edit."""
    Application.objects.filter(pk=world.application.pk).update(
        status=ApplicationStatus.DRAFT, submitted_at=None
    )
    Cycle.objects.filter(pk=world.cycle.pk).update(
        evidence_deadline=timezone.now() + timedelta(days=7)
    )


@dataclass(frozen=True)
class Post:
    """A POST that writes when sent with a token: who sends it, and what."""

    persona: str
    data: Callable[[World], dict] = lambda w: {}
    setup: Callable[[World], None] | None = None


def _at_stage(world: World, stage: str) -> None:
    """Put the world's cycle at ``stage`` (the gates are tested in test_process.py)."""
    from tests.process import set_stage

    set_stage(world.cycle, stage)


# The POSTs below succeed with a token (the positive control in the test checks it).
VALID_POSTS = {
    "login": Post("anonymous", lambda w: {"username": "member1", "password": PASSWORD}),
    "password_change": Post(
        "member",
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": "Matrix-kw7-2026!",
            "new_password2": "Matrix-kw7-2026!",
        },
    ),
    "indicators:version_retire": Post("admin_user"),
    "indicators:node_remove": Post("admin_user"),
    "indicators:checkpoint_add": Post("admin_user", lambda w: {"text": "새 착안사항"}),
    "indicators:checkpoint_remove": Post("admin_user"),
    # 결과통보 → 이의신청 has no blocker; the confirmation box is required (ADR 011)
    "evaluation:cycle_advance": Post(
        "admin_user",
        lambda w: {"expected_stage": Stage.NOTIFICATION, "confirm": "on"},
        setup=lambda w: _at_stage(w, Stage.NOTIFICATION),
    ),
    "evaluation:apply": Post("member", lambda w: {"institution": w.application.institution_id}),
    "evaluation:submit": Post("member", setup=_open_evidence),
    "evaluation:narrative_save": Post(
        "member", lambda w: {"narrative": "고친 설명"}, setup=_open_evidence
    ),
    # csrf_exempt outside (upload handlers), csrf_protect inside: the token is still required
    "evaluation:upload": Post(
        "member",
        lambda w: {"files": F.upload("추가자료.pdf", F.pdf_bytes("more"))},
        setup=_open_evidence,
    ),
    "evaluation:file_remove": Post("member", setup=_open_evidence),
    "evaluation:application_assignments": Post(
        "admin_user", lambda w: {"evaluator": w.users["other_evaluator"].pk}
    ),
    "evaluation:disqualify": Post("admin_user", lambda w: {"reason": "친족 관계"}),
    "evaluation:challenge_decide": Post(
        "admin_user", lambda w: {"decision": "rejected", "reason": "근거 부족"}
    ),
    "evaluation:sheet_unlock": Post("admin_user", lambda w: {"reason": "재검토 요청"}),
    # the committee decides in 인증위원회 and 이의신청 (ADR 011)
    "evaluation:committee_decide": Post(
        "admin_user",
        lambda w: {"decision": "fail", "reason": "위원회 판단"},
        setup=lambda w: _at_stage(w, Stage.APPEAL),
    ),
    "reports:request_summary": Post("manager"),
    "reports:request_batch": Post("manager"),
    "reports:request_result": Post("member"),
    "reports:request_sheet": Post("evaluator"),
}


def _poster(name: str) -> Post:
    """The payload above, or an empty POST by the most privileged persona let in."""
    if name in VALID_POSTS:
        return VALID_POSTS[name]
    allowed = EXPECTED[name].post_allowed()
    return Post(next(p for p in reversed(PERSONAS) if p in allowed))


POST_ENDPOINTS = [r for r in ROUTES if EXPECTED[r.name].post_allowed()]


def test_valid_posts_name_post_endpoints():
    names = {r.name for r in POST_ENDPOINTS}
    assert set(VALID_POSTS) <= names, set(VALID_POSTS) - names
    assert len(POST_ENDPOINTS) >= 50, len(POST_ENDPOINTS)


@pytest.mark.parametrize("route", POST_ENDPOINTS, ids=lambda r: r.name)
def test_post_without_csrf_token_is_refused(route, world):
    url = url_for(route, world)
    post = _poster(route.name)
    if post.setup:
        post.setup(world)
    client = world.clients[post.persona]
    before = snapshot()
    response = client.post(url, post.data(world), csrf=False)
    CASES["write protection"] += 1
    assert response.status_code == 403, (post.persona, response.status_code)
    changed = changes(before, snapshot())
    assert not changed, f"POST {url} without a token changed the database: {changed}"
    if route.name in VALID_POSTS:
        response = client.post(url, post.data(world))
        CASES["write protection"] += 1
        assert response.status_code in (200, 302), (post.persona, response.status_code)
        assert changes(before, snapshot()), f"the control POST {url} with a token wrote nothing"
