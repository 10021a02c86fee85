"""The outbox: one row per notice and recipient, written in the transaction of the change that
caused it (docs/decisions/012-notifications-outbox.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import events


class Status(models.TextChoices):
    HELD = "held", _("승인 대기")  # a mass notice waits for an admin's release
    QUEUED = "queued", _("발송 대기")
    SENDING = "sending", _("발송 중")
    SENT = "sent", _("발송 완료")
    FAILED = "failed", _("발송 실패")
    NO_EMAIL = "no_email", _("이메일 주소 없음(앱 알림만)")
    OPTED_OUT = "opted_out", _("수신 거부(앱 알림만)")
    WITHHELD = "withheld", _("열람 권한 없음(미발송)")


# Rows the recipient sees in the app (a held mass notice is not out yet; a withheld one is
# about something they may no longer see).
IN_APP_STATUSES = (
    Status.QUEUED,
    Status.SENDING,
    Status.SENT,
    Status.FAILED,
    Status.NO_EMAIL,
    Status.OPTED_OUT,
)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("수신자"),
    )
    event = models.CharField(_("알림 종류"), max_length=50, choices=events.choices())
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    url = models.CharField(_("연결 주소"), max_length=500, blank=True)
    context = models.JSONField(_("내용 변수"), default=dict, blank=True)
    # event + recipient + object + the caller's key: a repeat of the same notice is refused
    # by the database, however often the code path runs.
    key = models.CharField(_("중복 방지 키"), max_length=255, unique=True)
    # One notify(mass=True) call: the admin previews and releases the batch as a whole.
    batch = models.CharField(_("일괄 발송 묶음"), max_length=32, blank=True, db_index=True)
    status = models.CharField(
        _("상태"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    last_error = models.TextField(_("마지막 오류"), blank=True)
    next_attempt_at = models.DateTimeField(_("다음 시도"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("발송 시작"), null=True, blank=True)
    # Which delivery claimed the row (one UPDATE claims a batch; the token says which rows).
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    email = models.CharField(_("발송 주소"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("생성 시각"), default=timezone.now)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)
    read_at = models.DateTimeField(_("읽은 시각"), null=True, blank=True)
    released_at = models.DateTimeField(_("발송 승인 시각"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("발송 승인자"),
    )

    class Meta:
        verbose_name = _("알림")
        verbose_name_plural = _("알림")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_next"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="notification_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def spec(self) -> events.Event:
        return events.get(self.event)


class Preference(models.Model):
    """A user's choice of e-mail for one kind of notice (absent: e-mail on). Mandatory kinds
    ignore it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("알림 종류"), max_length=50, choices=events.choices())
    email = models.BooleanField(_("이메일 수신"), default=True)

    class Meta:
        verbose_name = _("알림 수신 설정")
        verbose_name_plural = _("알림 수신 설정")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="uniq_notification_preference"),
        ]

    def __str__(self):
        return f"{self.user} · {self.event} · {'on' if self.email else 'off'}"
