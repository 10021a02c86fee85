"""Render a notice (subject, plain text, HTML) from its event's templates and stored context.

The same function renders the e-mail, the in-app line and the outbox preview, so the preview
is exactly what will be sent. It renders in the active language: e-mails are sent in Korean
(``services._email`` renders them under ``translation.override``), the in-app line follows the
page's language (docs/decisions/020-languages.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from . import events


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    link: str
    # The subject for a page: the caller's values (cycle, institution, ...) are data, marked
    # translate="no" so they stay as written on an English page (ADR 020).
    subject_html: str = ""


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def base_context(*, recipient, event: events.Event, url: str) -> dict:
    return {
        "recipient_name": getattr(recipient, "display_name", "") or str(recipient),
        "site_name": gettext(settings.SITE_NAME),
        "organization_name": gettext(settings.ORGANIZATION_NAME),
        "event_label": str(event.label),
        "link": absolute(url),
        "site_url": settings.SITE_URL,
    }


def render(*, event_key: str, recipient, url: str, context: dict) -> Message:
    event = events.get(event_key)
    ctx = {**(context or {}), **base_context(recipient=recipient, event=event, url=url)}
    subject_template = Template(gettext(event.subject))
    subject = " ".join(subject_template.render(Context(ctx, autoescape=False)).split())
    marked = {
        key: format_html('<span translate="no">{}</span>', value)
        if isinstance(value, str)
        else value
        for key, value in (context or {}).items()
    }
    subject_html = " ".join(
        subject_template.render(Context({**ctx, **marked}, autoescape=True)).split()
    )
    text = render_to_string(event.text_template, ctx)
    try:
        html_template = get_template(event.html_template)
    except TemplateDoesNotExist:
        html = render_to_string(
            "notifications/email/_layout.html", {**ctx, "subject": subject, "text": text}
        )
    else:
        html = html_template.render({**ctx, "subject": subject})
    return Message(
        subject=subject[:200],
        text=text,
        html=html,
        link=ctx["link"],
        subject_html=mark_safe(subject_html),  # noqa: S308 (escaped by the template)
    )


def render_notification(notification) -> Message:
    return render(
        event_key=notification.event,
        recipient=notification.recipient,
        url=notification.url,
        context=notification.context,
    )
