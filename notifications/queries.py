"""Reads of the notifications app, which are also its access policy (docs/style.md)."""

from __future__ import annotations

from django.db.models import Count, Min, QuerySet

from institutions.roles import is_admin

from .models import IN_APP_STATUSES, Notification, Preference, Status


def can_manage_outbox(user) -> bool:
    return is_admin(user)


def email_off_events(user) -> set[str]:
    """The event kinds ``user`` turned e-mail off for (their own preferences only)."""
    return set(Preference.objects.filter(user=user, email=False).values_list("event", flat=True))


def visible_notifications(user) -> QuerySet[Notification]:
    """A user's own notices, as the app shows them: never anyone else's, and not a mass notice
    still waiting for release nor one about something they may no longer see."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, status__in=IN_APP_STATUSES)


def unread_count(user) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def outbox(user) -> QuerySet[Notification]:
    if not can_manage_outbox(user):
        return Notification.objects.none()
    return Notification.objects.select_related("recipient")


def held_batches(user) -> list[dict]:
    """Mass notices waiting for release: one row per batch with its size and first row."""
    if not can_manage_outbox(user):
        return []
    return list(
        Notification.objects.filter(status=Status.HELD)
        .values("batch", "event")
        .annotate(count=Count("pk"), first_id=Min("pk"), created_at=Min("created_at"))
        .order_by("created_at")
    )


def status_counts(user) -> dict[str, int]:
    if not can_manage_outbox(user):
        return {}
    return dict(
        Notification.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
