"""열람 청구: everything the system holds about a person, as one JSON document.

``institutions`` writes its own part; other apps add theirs through ``register(section, fn)``
where ``fn(user) -> JSON-ready value`` (``evaluation`` adds assignments, pledges, uploads and
its access log of that person; see ``evaluation/retention.py``)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from ..models import (
    AccountAudit,
    Affiliation,
    EvaluatorProfile,
    Invitation,
    PeopleEvent,
    Registration,
    User,
)

_SECTIONS: dict[str, Callable] = {}


def register(section: str, fn: Callable) -> None:
    _SECTIONS[section] = fn


def _iso(value):
    return value.isoformat() if value is not None else None


def subject_data(user: User) -> dict:
    profile = EvaluatorProfile.objects.filter(user=user).first()
    data = {
        "format": "certeval.subject-access/1",
        "generated_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "name": user.name,
            "email": user.email,
            "active": user.is_active,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "roles": sorted(str(r.label) for r in user.role_set()),
        },
        "memberships": [
            {"institution": m.institution.name, "since": _iso(m.created_at)}
            for m in user.memberships.select_related("institution")
        ],
        "registrations": [
            {
                "institution": r.institution_name,
                "contact_name": r.contact_name,
                "email": r.email,
                "phone": r.phone,
                "status": r.status,
                "privacy_consent_at": _iso(r.privacy_consent_at),
                "privacy_consent_version": r.privacy_consent_version,
                "terms_consent_at": _iso(r.terms_consent_at),
                "created_at": _iso(r.created_at),
            }
            for r in Registration.objects.filter(user=user)
        ],
        "invitations": [
            {"email": i.email, "role": i.role, "accepted_at": _iso(i.accepted_at)}
            for i in Invitation.objects.filter(user=user)
        ],
        "evaluator_profile": (
            {
                "expertise": profile.expertise,
                "qualifications": profile.qualifications,
                "organisation": profile.organisation,
                "phone": profile.phone,
            }
            if profile
            else None
        ),
        "affiliations": [
            {
                "organisation": a.institution.name if a.institution_id else a.organisation,
                "from": _iso(a.started_on),
                "to": _iso(a.ended_on),
            }
            for a in Affiliation.objects.filter(user=user).select_related("institution")
        ],
        "changes_about_me": [
            {"at": _iso(e.at), "kind": e.kind, "detail": e.detail}
            for e in PeopleEvent.objects.filter(subject=user)
        ],
        "account_audit": [
            {"at": _iso(a.at), "action": a.action, "role": a.role, "reason": a.reason}
            for a in AccountAudit.objects.filter(user=user)
        ],
    }
    for section, fn in _SECTIONS.items():
        data[section] = fn(user)
    return data
