"""Transactional mail of the people side (confirmation, decision, invitation), sent through
Django's mail API after the transaction commits; a mail failure is logged and never undoes the
change (the person can ask for the link again)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_on_commit(template: str, to: str, context: dict) -> None:
    """Render ``institutions/email/<template>_subject.txt`` and ``..._body.txt`` and send
    them to ``to`` once the surrounding transaction commits."""
    context = {**context, "support_email": settings.SUPPORT_EMAIL}
    subject = render_to_string(f"institutions/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"institutions/email/{template}_body.txt", context)

    def send():
        try:
            send_mail(subject, body, None, [to])
        except Exception:  # noqa: BLE001 -- an outage must not undo the change
            log.exception("people mail %s to %s failed", template, to)

    transaction.on_commit(send)
