"""Evidence: per application and item, a narrative and any number of files (with versions)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Item

from .application import Application


class FileKind(models.TextChoices):
    """Accepted file types, as decided by content sniffing (``evaluation/sniff.py``)."""

    PDF = "pdf", "PDF"
    HWP = "hwp", "HWP"
    HWPX = "hwpx", "HWPX"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
    PPTX = "pptx", "PPTX"
    JPG = "jpg", "JPG"
    PNG = "png", "PNG"


class FileState(models.TextChoices):
    CURRENT = "current", _("현재 파일")
    SUPERSEDED = "superseded", _("이전 버전")
    REMOVED = "removed", _("삭제됨")


class Evidence(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="evidences", verbose_name=_("신청")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("평가항목")
    )
    narrative = models.TextField(_("설명"), blank=True)
    updated_at = models.DateTimeField(_("수정 시각"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("증빙")
        verbose_name_plural = _("증빙")
        ordering = ["application", "item"]
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="uniq_evidence_item"),
        ]

    def __str__(self):
        return f"{self.application} · {self.item.code}"


class EvidenceFile(models.Model):
    """One stored file. Its bytes live in the default storage under ``storage_key`` (random,
    never derived from the user's file name) and are only ever read through
    permission-checked views.

    Replacing or removing a file keeps the previous row and bytes (``superseded`` /
    ``removed``) until the application is submitted; submission purges them
    (``purged_at``). The row itself stays so the access log keeps pointing at it.
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    # Denormalised from ``evidence`` so duplicates and totals are per application in SQL.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="evidence_files"
    )
    original_name = models.CharField(_("원래 파일 이름"), max_length=255)
    # Unique among uploads; a link (``linked_from``) shares its original's key (no 2nd copy).
    storage_key = models.CharField(_("저장 키"), max_length=255)
    size = models.PositiveBigIntegerField(_("크기(바이트)"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    kind = models.CharField(_("형식"), max_length=10, choices=FileKind.choices)
    state = models.CharField(
        _("상태"), max_length=20, choices=FileState.choices, default=FileState.CURRENT
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("대체한 이전 파일"),
    )
    linked_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("연결한 원본 파일"),
    )
    # Active content found in a PDF (JavaScript, launch actions, embedded files), "; "-joined;
    # empty when none. Accepted with this flag and always previewed sandboxed (ADR 013).
    active_content = models.CharField(_("능동 콘텐츠"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("업로드 시각"), default=timezone.now)
    superseded_at = models.DateTimeField(_("대체·삭제 시각"), null=True, blank=True)
    purged_at = models.DateTimeField(_("저장소에서 삭제된 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("증빙 파일")
        verbose_name_plural = _("증빙 파일")
        ordering = ["evidence", "uploaded_at", "pk"]
        constraints = [
            # The same bytes are uploaded at most once per application; other items link them.
            models.UniqueConstraint(
                fields=["application", "sha256"],
                condition=models.Q(state="current", linked_from__isnull=True),
                name="uniq_current_file_content",
            ),
            models.UniqueConstraint(
                fields=["evidence", "sha256"],
                condition=models.Q(state="current"),
                name="uniq_current_file_content_per_item",
            ),
            models.UniqueConstraint(
                fields=["storage_key"],
                condition=models.Q(linked_from__isnull=True),
                name="uniq_evidence_storage_key",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="evidence_file_not_empty"),
            models.CheckConstraint(
                condition=models.Q(kind__in=FileKind.values), name="evidence_file_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=FileState.values), name="evidence_file_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(state="current", superseded_at__isnull=True)
                | ~models.Q(state="current") & models.Q(superseded_at__isnull=False),
                name="evidence_file_superseded_at_matches_state",
            ),
            models.CheckConstraint(
                condition=models.Q(purged_at__isnull=True) | ~models.Q(state="current"),
                name="evidence_file_current_not_purged",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def active_content_list(self) -> list[str]:
        return [part for part in self.active_content.split("; ") if part]

    @property
    def is_previewable(self) -> bool:
        return self.kind in PREVIEWABLE_KINDS

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


PREVIEWABLE_KINDS = frozenset({FileKind.PDF, FileKind.JPG, FileKind.PNG})

CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.HWP: "application/x-hwp",
    FileKind.HWPX: "application/hwp+zip",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.JPG: "image/jpeg",
    FileKind.PNG: "image/png",
}


class EvidenceReopening(models.Model):
    """An admin reopened an application's evidence (after submission or the deadline)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reopenings"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(_("재개방 시각"), default=timezone.now)
    reason = models.TextField(_("사유"))
    open_until = models.DateTimeField(_("재개방 기한"))

    class Meta:
        verbose_name = _("증빙 재개방 기록")
        verbose_name_plural = _("증빙 재개방 기록")
        ordering = ["application", "reopened_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="reopening_has_reason"),
        ]

    def __str__(self):
        return f"{self.application} ({self.reopened_at:%Y-%m-%d})"
