"""The evidence access log: every view, preview or download of an evidence file."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .application import Application
from .evidence import EvidenceFile


class AccessPurpose(models.TextChoices):
    VIEW = "view", _("열람")
    PREVIEW = "preview", _("미리보기")
    DOWNLOAD = "download", _("내려받기")


class EvidenceAccess(models.Model):
    file = models.ForeignKey(
        EvidenceFile, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("파일")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="evidence_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence_accesses",
        verbose_name=_("사용자"),
    )
    at = models.DateTimeField(_("시각"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP 주소"), null=True, blank=True)
    purpose = models.CharField(_("목적"), max_length=10, choices=AccessPurpose.choices)

    class Meta:
        verbose_name = _("증빙 열람 기록")
        verbose_name_plural = _("증빙 열람 기록")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=AccessPurpose.values), name="access_purpose_known"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.purpose} {self.file} {self.at:%Y-%m-%d %H:%M}"
