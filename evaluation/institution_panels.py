"""What ``evaluation`` shows on the admin's institution page and filters its list by
(``institutions.people.panels``): the institution's applications and the 인증서 this programme
issued it. Registered in ``EvaluationConfig.ready``; ``institutions`` never imports this."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.people import panels

from .models import Application, Certification


def _applications(institution, user):
    applications = (
        Application.objects.filter(institution=institution)
        .select_related("cycle")
        .order_by("-cycle__reference_date", "pk")
    )
    certifications = Certification.objects.filter(institution=institution).order_by("-issued_at")
    return panels.Panel(
        title=_("신청·인증서"),
        template="evaluation/_institution_panel.html",
        context={
            "applications": list(applications),
            "certifications": list(certifications),
            "today": timezone.localdate(),
        },
    )


def _certification_filter(queryset, value):
    today = timezone.localdate()
    valid = Exists(Certification.objects.valid_on(today).filter(institution=OuterRef("pk")))
    expired = Exists(Certification.objects.expired_on(today).filter(institution=OuterRef("pk")))
    if value == "valid":
        return queryset.filter(valid)
    if value == "expired":
        return queryset.filter(expired).exclude(valid)
    if value == "none":
        return queryset.exclude(Exists(Certification.objects.filter(institution=OuterRef("pk"))))
    return queryset


def register() -> None:
    panels.register(_applications)
    panels.register_filter(
        panels.ListFilter(
            name="certification",
            label=_("인증서(본 인증제)"),
            choices=(("valid", _("유효")), ("expired", _("만료")), ("none", _("발급 이력 없음"))),
            apply=_certification_filter,
        )
    )
