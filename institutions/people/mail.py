"""Transactional mail of the people side (confirmation, decision, invitation): rendered here,
sent by ``institutions.tasks.send_email`` after the transaction commits, never inside the
request; a mail failure is logged and never undoes the change (the person can ask for the link
again)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .. import mail


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_on_commit(template: str, to: str, context: dict) -> None:
    """Render ``institutions/email/<template>_subject.txt`` and ``..._body.txt`` and queue
    them for ``to`` once the surrounding transaction commits."""
    context = {**context, "support_email": settings.SUPPORT_EMAIL}
    # E-mails are Korean whatever the page's language (docs/decisions/020-languages.md).
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"institutions/email/{template}_subject.txt", context)
        body = render_to_string(f"institutions/email/{template}_body.txt", context)
    subject = subject.strip()
    mail.send_on_commit(subject=subject, body=body, to=to)
