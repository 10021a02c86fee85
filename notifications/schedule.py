"""Scheduled notices, computed once a day by ``send_pending_notifications``.

Two registries, filled by other apps in their ``AppConfig.ready()``:

- ``register_reminder(fn)``: ``fn(today: date) -> None`` calls ``services.notify(...)`` for the
  reminders due today, with ``key=`` naming the day or the D-n step, so a reminder computed
  twice in a day (several sweeps, several sweepers) is written once per recipient.
- ``register_digest_source(fn)``: ``fn(today: date) -> DigestSection | None``, a "needs
  attention" list for the daily digest of admins and managers (e.g. objections to decide).

The digest itself is built here, with two sections of its own: failed deliveries and users who
received a notice in the app only because they have no e-mail address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from institutions.roles import GROUP_NAMES, Role

from . import services
from .models import Notification, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[str] = field(default_factory=list)
    url: str = ""


Reminder = Callable[[date], None]
DigestSource = Callable[[date], DigestSection | None]

_REMINDERS: list[Reminder] = []
_DIGEST_SOURCES: list[DigestSource] = []


def register_reminder(fn: Reminder) -> Reminder:
    if fn not in _REMINDERS:
        _REMINDERS.append(fn)
    return fn


def register_digest_source(fn: DigestSource) -> DigestSource:
    if fn not in _DIGEST_SOURCES:
        _DIGEST_SOURCES.append(fn)
    return fn


def days_until(deadline_day: date, today: date) -> int:
    return (deadline_day - today).days


# --- built-in digest sections --------------------------------------------------------------

DIGEST_LIMIT = 20  # lines per section; the rest is counted


def _failed_deliveries(today: date) -> DigestSection | None:
    rows = Notification.objects.filter(status=Status.FAILED).select_related("recipient")
    total = rows.count()
    if not total:
        return None
    lines = [
        f"{n.recipient} <{n.recipient.email}> · {n.get_event_display()} · "
        f"{n.attempts}회 시도 · {n.last_error}"
        for n in rows.order_by("created_at")[:DIGEST_LIMIT]
    ]
    if total > DIGEST_LIMIT:
        lines.append(f"외 {total - DIGEST_LIMIT}건")
    return DigestSection(
        "발송 실패한 알림", lines, reverse("notifications:outbox") + "?status=failed"
    )


def _missing_addresses(today: date) -> DigestSection | None:
    since = today - timedelta(days=30)
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            notifications__status=Status.NO_EMAIL,
            notifications__created_at__date__gte=since,
        )
        .distinct()
        .order_by("username")
    )
    names = [f"{u.display_name} ({u.username})" for u in users[: DIGEST_LIMIT + 1]]
    if not names:
        return None
    if len(names) > DIGEST_LIMIT:
        names = names[:DIGEST_LIMIT] + ["외 더 있음"]
    return DigestSection(
        "이메일 주소가 없어 앱 알림만 받은 사용자",
        names,
        reverse("notifications:outbox") + "?status=no_email",
    )


def digest_sections(today: date) -> list[DigestSection]:
    sections = []
    for source in [*_DIGEST_SOURCES, _failed_deliveries, _missing_addresses]:
        try:
            section = source(today)
        except Exception:  # noqa: BLE001 -- one broken source must not stop the digest
            log.exception("digest source %r failed", source)
            continue
        if section and section.lines:
            sections.append(section)
    return sections


def staff_recipients():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name__in=[GROUP_NAMES[Role.ADMIN], GROUP_NAMES[Role.MANAGER]])
        )
        .distinct()
    )


def digest_send(today: date) -> int:
    sections = digest_sections(today)
    if not sections:
        return 0
    context = {
        "day": today.isoformat(),
        "total": sum(len(s.lines) for s in sections),
        "sections": [{"title": s.title, "lines": s.lines, "url": s.url} for s in sections],
    }
    with transaction.atomic():
        return services.notify(
            event="daily_digest",
            recipients=staff_recipients(),
            url=reverse("notifications:outbox"),
            context=context,
            key=today.isoformat(),
        )


def run(today: date) -> int:
    """Every reminder source, then the digest. Idempotent per day and recipient."""
    before = Notification.objects.count()
    for reminder in _REMINDERS:
        try:
            with transaction.atomic():
                reminder(today)
        except Exception:  # noqa: BLE001 -- one broken source must not stop the others
            log.exception("reminder %r failed", reminder)
    digest_send(today)
    return Notification.objects.count() - before
