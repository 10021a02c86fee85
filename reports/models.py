"""Reports: one row per generated document, and the log of every download.

A ``Report`` is rendered from ``inputs``, a JSON snapshot of everything the document shows,
taken when it is requested. ``input_hash`` is the SHA-256 of that snapshot, the report kind and
format and the template version: a request whose hash matches a report that is not ``failed``
gets that report (and its file) instead of a new render. At most one non-failed report exists
per hash (a partial unique constraint), so two identical requests at the same moment give one
render.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    RESULT = "result", _("결과보고서")
    SHEET = "sheet", _("평가표")
    SUMMARY = "summary", _("집계표")
    BATCH = "batch", _("결과보고서 일괄")
    CERTIFICATION = "certification", _("인증서")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("대기 중")
    RUNNING = "running", _("생성 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")


TERMINAL_STATUSES = (ReportStatus.DONE, ReportStatus.FAILED)


class Report(models.Model):
    kind = models.CharField(_("종류"), max_length=20, choices=ReportKind.choices)
    cycle = models.ForeignKey(
        "evaluation.Cycle",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("평가 주기"),
    )
    # result and certification: the application; sheet: the assignment (and its
    # application); summary and batch: neither.
    application = models.ForeignKey(
        "evaluation.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("신청"),
    )
    assignment = models.ForeignKey(
        "evaluation.Assignment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("평가위원 배정"),
    )
    # A batch is made of result reports (shared with single requests: same hash, same row).
    parts = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="batches", verbose_name=_("구성 보고서")
    )
    title = models.CharField(_("제목"), max_length=300)
    inputs = models.JSONField(_("입력 자료"), default=dict)
    input_hash = models.CharField(_("입력 해시"), max_length=64)
    template_version = models.CharField(_("양식 버전"), max_length=64)
    status = models.CharField(
        _("상태"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    error = models.TextField(_("오류"), blank=True)
    progress_done = models.PositiveIntegerField(_("완료 수"), default=0)
    progress_total = models.PositiveIntegerField(_("전체 수"), default=1)
    # The stored file (PDF, or ZIP for a batch) and, for the 집계표, its XLSX twin.
    storage_key = models.CharField(_("저장 키"), max_length=255, blank=True)
    file_name = models.CharField(_("파일 이름"), max_length=255)
    size = models.PositiveBigIntegerField(_("크기(바이트)"), null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    xlsx_key = models.CharField(_("XLSX 저장 키"), max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요청자"),
    )
    created_at = models.DateTimeField(_("요청 시각"), default=timezone.now)
    # When the render was last handed to the broker; empty while it never was (Redis was
    # unreachable): such a report waits for a sweep (docs/decisions/010-broker-outage.md).
    enqueued_at = models.DateTimeField(_("작업 전달 시각"), null=True, blank=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("보고서")
        verbose_name_plural = _("보고서")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["input_hash"],
                condition=~models.Q(status="failed"),
                name="uniq_live_report_per_input",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values), name="report_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_known"
            ),
            # A done report has its file; no other state has one.
            models.CheckConstraint(
                condition=models.Q(status="done", size__isnull=False) & ~models.Q(storage_key="")
                | ~models.Q(status="done") & models.Q(storage_key="", xlsx_key=""),
                name="report_file_iff_done",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(error=""),
                name="report_failed_has_error",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")),
                name="report_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="result") | models.Q(application__isnull=False),
                name="report_result_has_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="sheet") | models.Q(assignment__isnull=False),
                name="report_sheet_has_assignment",
            ),
            # A certification's PDF: the application it was issued to (one certification each).
            models.CheckConstraint(
                condition=~models.Q(kind="certification") | models.Q(application__isnull=False),
                name="report_certification_has_application",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "kind", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == ReportStatus.DONE

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return self.progress_done * 100 // self.progress_total


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    ZIP = "zip", "ZIP"


class AccessPurpose(models.TextChoices):
    DOWNLOAD = "download", _("내려받기")


class ReportAccess(models.Model):
    """Every download of a report file: who, when, from where, which file."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("보고서")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_accesses",
        verbose_name=_("사용자"),
    )
    at = models.DateTimeField(_("시각"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP 주소"), null=True, blank=True)
    format = models.CharField(_("형식"), max_length=10, choices=ReportFormat.choices)
    purpose = models.CharField(
        _("목적"), max_length=20, choices=AccessPurpose.choices, default=AccessPurpose.DOWNLOAD
    )

    class Meta:
        verbose_name = _("보고서 내려받기 기록")
        verbose_name_plural = _("보고서 내려받기 기록")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(format__in=ReportFormat.values), name="report_access_format"
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=AccessPurpose.values),
                name="report_access_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.format} {self.report} {self.at:%Y-%m-%d %H:%M}"
