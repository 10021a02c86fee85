"""Celery task of the institutions app: one transactional e-mail (registration, invitation,
password reset), sent by a worker, never inside the request that caused it (issue 11, part 3).

The message is rendered by the caller and handed over on commit (``institutions.mail``). Each
attempt is bounded by ``EMAIL_TIMEOUT`` (Django's SMTP backend reads it). A temporary failure
(the server is down, hung or answers 4xx) is retried with a growing delay, 1, 2, 4 ... 60 min.
Under eager Celery (no broker, the embedded default) the task runs in the requesting process
after commit: one attempt, never an inline retry loop; a failure is logged and the person asks
for the link again, as before.

These messages carry one-time links, so they are not written to the notifications outbox
(docs/decisions/012-notifications-outbox.md): a database reader must not find a live link.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

log = logging.getLogger(__name__)

MAX_RETRIES = 6
FIRST_DELAY = 60  # seconds; doubled per attempt
MAX_DELAY = 3600


def retry_delay(retries: int) -> int:
    return min(FIRST_DELAY * 2**retries, MAX_DELAY)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def send_email(self, subject: str, body: str, to: str, html: str | None = None) -> bool:
    message = EmailMultiAlternatives(subject, body, None, [to])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:  # permanent: the address is refused
        log.warning("mail %r to %s refused by the server", subject, to)
        return False
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, reset, timed out
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            log.warning("mail %r to %s failed: %s", subject, to, exc)
            return False
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc
    return True
