"""Writes of the notifications app: the outbox (notify), delivery, the sweep, the release of
mass notices, read marks and preferences (docs/decisions/012-notifications-outbox.md)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import smtplib
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import dispatch, events, policy, queries
from .models import Notification, Preference, Status
from .rendering import render_notification

log = logging.getLogger(__name__)

# A failed send is retried after 1, 2, 4, 8, 16 minutes... (capped at an hour), at most
# MAX_ATTEMPTS times in all; then it stays failed and the daily digest lists it.
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# A queued row older than this was probably lost with its broker message: the sweep sends it.
SWEEP_GRACE = timedelta(minutes=2)
# Keys per IN (...) lookup: SQLite allows 999 parameters in older builds.
KEY_LOOKUP_CHUNK = 900
# A row "sending" for longer than this belonged to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=15)

# What a mail server or the network can do to a send: retried with backoff.
RETRYABLE = (smtplib.SMTPException, OSError, socket.timeout)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    IN_APP_ONLY = "in_app_only"
    SKIPPED = "skipped"  # not claimable: already sent, held, or claimed by another worker


def _idempotency_key(event: str, recipient_id: int, ct_id, obj_id, key: str) -> str:
    raw = f"{event}:{recipient_id}:{ct_id or '-'}:{obj_id or '-'}:{key}"
    if len(raw) <= 255:
        return raw
    return f"{event}:{recipient_id}:sha256:{hashlib.sha256(raw.encode()).hexdigest()}"


@dataclass(frozen=True)
class Notice:
    """One object's notice for ``notify_each``: its recipients, object, link and context."""

    recipients: Iterable
    obj: object = None
    url: str = ""
    context: dict | None = None
    key: str = ""


def notify(
    *,
    event: str,
    recipients: Iterable,
    obj=None,
    url: str = "",
    context: dict | None = None,
    key: str = "",
    mass: bool = False,
) -> int:
    """Write one outbox row per recipient in the current transaction and deliver them after
    commit. A repeat (same event, recipient, object and key) writes nothing. ``mass=True``
    holds the rows until an admin releases them from the outbox. Returns the new rows."""
    return notify_each(
        event=event,
        notices=[Notice(recipients=recipients, obj=obj, url=url, context=context, key=key)],
        mass=mass,
    )


def notify_each(*, event: str, notices: Iterable[Notice], mass: bool = False) -> int:
    """``notify`` for many objects at once (e.g. 결과통보 to every application of a cycle,
    each about its own application with its own link): the same rows, in a constant number
    of queries instead of two per object. ``mass=True`` makes the whole call one batch."""
    events.get(event)  # an unknown kind is a programming error: refuse it loudly
    now = timezone.now()
    batch = uuid.uuid4().hex if mass else ""
    status = Status.HELD if mass else Status.QUEUED
    by_key: dict[str, Notification] = {}
    for notice in notices:
        obj = notice.obj
        ct_id = ContentType.objects.get_for_model(obj).pk if obj is not None else None
        obj_id = obj.pk if obj is not None else None
        for user in notice.recipients:
            if user is None or user.pk is None:
                continue
            k = _idempotency_key(event, user.pk, ct_id, obj_id, notice.key)
            if k in by_key:
                continue
            by_key[k] = Notification(
                recipient=user,
                event=event,
                content_type_id=ct_id,
                object_id=obj_id,
                url=notice.url,
                context=notice.context or {},
                key=k,
                batch=batch,
                status=status,
                created_at=now,
            )
    if not by_key:
        return 0
    keys = list(by_key)
    existing: set[str] = set()
    for start in range(0, len(keys), KEY_LOOKUP_CHUNK):
        existing.update(
            Notification.objects.filter(key__in=keys[start : start + KEY_LOOKUP_CHUNK]).values_list(
                "key", flat=True
            )
        )
    rows = [row for k, row in by_key.items() if k not in existing]
    if not rows:
        return 0
    # ignore_conflicts: a concurrent call that wrote the same key wins; this one adds nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if not mass:
        new_keys = [r.key for r in rows]
        ids: list[int] = []
        for start in range(0, len(new_keys), KEY_LOOKUP_CHUNK):
            ids += Notification.objects.filter(
                key__in=new_keys[start : start + KEY_LOOKUP_CHUNK], status=Status.QUEUED
            ).values_list("pk", flat=True)
        dispatch.enqueue_on_commit(ids)
    return len(rows)


# --- delivery ------------------------------------------------------------------------------


def retry_delay(attempts: int) -> int:
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def retry_countdown(ids: list[int]) -> int:
    """Seconds until every row in ``ids`` may be attempted again (a second of slack)."""
    latest = (
        Notification.objects.filter(pk__in=ids, next_attempt_at__isnull=False)
        .order_by("-next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if latest is None:
        return 1
    return max(int((latest - timezone.now()).total_seconds()) + 1, 1)


def describe_error(exc: BaseException) -> str:
    """The mail server's own reason, in a line an admin can act on."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for address, (code, message) in exc.recipients.items():
            text = message.decode(errors="replace") if isinstance(message, bytes) else message
            parts.append(f"{address}: {code} {text}")
        return "수신 주소 거부 — " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"메일 서버 오류 {exc.smtp_code}: {text}"
    if isinstance(exc, socket.timeout | TimeoutError) or (
        isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)
    ):
        return f"메일 서버 응답 시간 초과 ({settings.EMAIL_TIMEOUT}초)"
    if isinstance(exc, ConnectionRefusedError):
        return f"메일 서버에 연결할 수 없습니다 ({settings.EMAIL_HOST}:{settings.EMAIL_PORT})"
    return f"{type(exc).__name__}: {exc}"


def _connection_broken(exc: BaseException) -> bool:
    """A failure of the connection itself, not of one message or recipient: the rest of the
    batch is not tried against a server that is down or hung (each would wait EMAIL_TIMEOUT
    again). Every SMTPException is an OSError; only these are the connection's."""
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def _claim(ids: list[int], now) -> list[int]:
    """Claim the claimable rows among ``ids`` for this delivery (one UPDATE, so two workers
    never both send a row); returns the claimed ids."""
    token = uuid.uuid4().hex
    Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk__in=ids,
        status__in=[Status.QUEUED, Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=Status.SENDING, claimed_at=now, claim_token=token)
    return list(
        Notification.objects.filter(claim_token=token, status=Status.SENDING).values_list(
            "pk", flat=True
        )
    )


def _opted_out(rows: list[Notification]) -> set[tuple[int, str]]:
    optional = [n for n in rows if n.event not in events.MANDATORY]
    if not optional:
        return set()
    return set(
        Preference.objects.filter(
            user_id__in={n.recipient_id for n in optional},
            event__in={n.event for n in optional},
            email=False,
        ).values_list("user_id", "event")
    )


def _target(notification: Notification):
    if notification.content_type_id is None:
        return None, True
    model = notification.content_type.model_class()
    obj = model._default_manager.filter(pk=notification.object_id).first() if model else None
    return obj, obj is not None


def _in_app_only(n: Notification, opted_out: set) -> tuple[str, str] | None:
    obj, exists = _target(n)
    if not exists or not policy.can_see(n.recipient, obj):
        return Status.WITHHELD, "수신자가 더 이상 이 대상을 볼 수 없어 보내지 않았습니다."
    if not n.recipient.email:
        return Status.NO_EMAIL, "수신자의 이메일 주소가 없어 앱 알림만 남겼습니다."
    if (n.recipient_id, n.event) in opted_out:
        return Status.OPTED_OUT, "수신자가 이 종류의 이메일을 받지 않기로 했습니다."
    return None


def _fail(n: Notification, exc: BaseException, now) -> Outcome:
    attempts = n.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    Notification.objects.filter(pk=n.pk).update(
        status=Status.FAILED,
        attempts=attempts,
        last_error=describe_error(exc)[:2000],
        next_attempt_at=None if gave_up else now + timedelta(seconds=retry_delay(attempts)),
    )
    log.warning("notification %s to %s failed: %s", n.pk, n.recipient.email, exc)
    return Outcome.GAVE_UP if gave_up else Outcome.RETRY


def _email(n: Notification, connection) -> EmailMultiAlternatives:
    # Notices are official correspondence in Korean, whatever language the page that caused
    # them was browsed in (an eager send runs inside that request; ADR 020).
    with translation.override(settings.LANGUAGE_CODE):
        message = render_notification(n)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient.email],
        connection=connection,
    )
    email.attach_alternative(message.html, "text/html")
    return email


def notifications_deliver(*, notification_ids: list[int]) -> dict[int, Outcome]:
    """Send these rows by e-mail where they may go, over one SMTP connection (each row is
    claimed first). Each row ends sent, failed (with the server's reason and its next
    attempt), or in the app only (no address, e-mail switched off, or an object the recipient
    may no longer see). A connection that fails (server down or hung) fails the rest of the
    batch with the same reason instead of waiting ``EMAIL_TIMEOUT`` once per row."""
    now = timezone.now()
    outcomes = dict.fromkeys(notification_ids, Outcome.SKIPPED)
    claimed = _claim(list(notification_ids), now)
    if not claimed:
        return outcomes
    rows = list(
        Notification.objects.filter(pk__in=claimed)
        .select_related("recipient", "content_type")
        .order_by("pk")
    )
    opted_out = _opted_out(rows)
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    broken: BaseException | None = None
    opened = False
    try:
        for n in rows:
            only = _in_app_only(n, opted_out)
            if only is not None:
                Notification.objects.filter(pk=n.pk).update(status=only[0], last_error=only[1])
                outcomes[n.pk] = Outcome.IN_APP_ONLY
                continue
            if broken is not None:
                outcomes[n.pk] = _fail(n, broken, now)
                continue
            try:
                if not opened:
                    # Opened once for the batch (the back end would otherwise connect per
                    # message); a failure here is the connection's, handled below.
                    connection.open()
                    opened = True
                _email(n, connection).send(fail_silently=False)
            except RETRYABLE as exc:
                outcomes[n.pk] = _fail(n, exc, now)
                if _connection_broken(exc):
                    broken = exc
                continue
            Notification.objects.filter(pk=n.pk).update(
                status=Status.SENT,
                attempts=n.attempts + 1,
                sent_at=timezone.now(),
                email=n.recipient.email,
                last_error="",
                next_attempt_at=None,
            )
            outcomes[n.pk] = Outcome.SENT
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return outcomes


def notification_deliver(*, notification_id: int) -> Outcome:
    """One row (see ``notifications_deliver``)."""
    return notifications_deliver(notification_ids=[notification_id])[notification_id]


def due_ids(*, limit: int, now=None) -> list[int]:
    """Rows the sweep should try now: queued long enough that their message must be lost,
    failed and due for a retry, or stuck "sending" by a worker that died."""
    now = now or timezone.now()
    Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Status.FAILED, last_error="발송 중 작업자가 중단되어 다시 보냅니다."
    )
    return list(
        Notification.objects.filter(
            Q(status=Status.QUEUED, created_at__lte=now - SWEEP_GRACE)
            | Q(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                status=Status.FAILED,
                attempts__lt=MAX_ATTEMPTS,
            )
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_pending(*, limit: int = 500, now=None) -> dict[str, int]:
    """The sweep's delivery half: sends due rows in this process (it works with the broker
    down), in batches of ``dispatch.CHUNK``. Returns a count per outcome."""
    counts: dict[str, int] = {}
    ids = due_ids(limit=limit, now=now)
    for start in range(0, len(ids), dispatch.CHUNK):
        batch = ids[start : start + dispatch.CHUNK]
        for outcome in notifications_deliver(notification_ids=batch).values():
            counts[outcome.value] = counts.get(outcome.value, 0) + 1
    return counts


# --- mass notices --------------------------------------------------------------------------


@transaction.atomic
def batch_release(*, batch: str, by) -> int:
    """An admin releases a held mass notice (after seeing its preview): its rows are queued
    and handed to the worker after commit. Returns how many rows were released."""
    if not queries.can_manage_outbox(by):
        raise PermissionDenied
    rows = Notification.objects.select_for_update().filter(batch=batch, status=Status.HELD)
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(
            gettext("발송 승인할 알림이 없습니다: 이미 승인되었거나 존재하지 않는 묶음입니다.")
        )
    Notification.objects.filter(pk__in=ids).update(
        status=Status.QUEUED, released_at=timezone.now(), released_by=by
    )
    dispatch.enqueue_on_commit(ids)
    return len(ids)


# --- in-app --------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notices read (or all of them with no id). Others' notices are
    never touched: the query is scoped to the user."""
    qs = queries.visible_notifications(user).filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, user, email_on: Iterable[str]) -> None:
    """Store ``user``'s e-mail choice for every optional kind: on for those in ``email_on``."""
    wanted = set(email_on)
    unknown = wanted - set(events.EVENTS)
    if unknown:
        raise ValidationError(
            gettext("알 수 없는 알림 종류입니다: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}
        )
    for key in events.EVENTS:
        if key in events.MANDATORY:
            continue
        Preference.objects.update_or_create(user=user, event=key, defaults={"email": key in wanted})
