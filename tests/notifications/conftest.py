"""Notifications tests: personas get e-mail addresses; helpers to commit and make rows due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification


def with_address(user, address: str | None = None):
    user.email = address if address is not None else f"{user.username}@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def addressed(admin_user, manager, evaluator, other_evaluator, member, other_member):
    """Every persona with an address <username>@example.com."""
    for user in (admin_user, manager, evaluator, other_evaluator, member, other_member):
        with_address(user)


def make_due() -> None:
    """Time passes: every failed row's next attempt is now due (the clock is the boundary)."""
    Notification.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def age_queued(minutes: int = 3) -> None:
    """Queued rows were written ``minutes`` ago (their broker message is presumed lost)."""
    Notification.objects.filter(status="queued").update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
