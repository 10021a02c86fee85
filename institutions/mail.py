"""Transactional e-mail of the institutions app, handed to ``tasks.send_email`` once the
surrounding transaction commits. Nothing here talks to a mail server: with a broker the request
only publishes a message; a publish that fails (broker down) is logged and never undoes the
change (the person can ask for the link again)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils import translation

log = logging.getLogger(__name__)


def enqueue(*, subject: str, body: str, to: str, html: str | None = None) -> None:
    from . import tasks

    try:
        tasks.send_email.delay(subject, body, to, html)
    except Exception:  # noqa: BLE001 -- broker down: the change stands, the mail is lost
        log.exception("mail %r to %s not queued (publish failed)", subject, to)


def send_on_commit(*, subject: str, body: str, to: str, html: str | None = None) -> None:
    transaction.on_commit(lambda: enqueue(subject=subject, body=body, to=to, html=html))


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its message rendered as Django renders it and sent by the task.

    Queued at once: the reset writes nothing, and the admin's reset calls this after commit."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # E-mails are Korean whatever the page's language (docs/decisions/020-languages.md).
        with translation.override(settings.LANGUAGE_CODE):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            html = None
            if html_email_template_name is not None:
                html = loader.render_to_string(html_email_template_name, context)
        enqueue(subject=subject, body=body, to=to_email, html=html)
