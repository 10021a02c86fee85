"""Every kind of notice the platform sends: key, Korean label, audience, whether the process
requires it (mandatory notices cannot be switched off by the recipient), and its templates.

Templates: the subject is the ``subject`` string below (a Django template), the plain-text body
is ``notifications/email/<key>.txt`` and the HTML body is ``notifications/email/<key>.html`` if
it exists, else the shared layout ``notifications/email/_layout.html`` around the text body.

Every template receives, besides the caller's ``context``: ``recipient_name``, ``site_name``,
``organization_name``, ``link`` (absolute, from ``SITE_URL``) and ``event_label``.
``context_vars`` lists what each template reads from the caller's ``context`` (the README's
events table is built from it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_noop, pgettext_lazy


class Audience:
    # Korean keys, translated where they are shown ({% translate row.event.audience %}).
    INSTITUTION = gettext_noop("기관담당자")
    EVALUATOR = gettext_noop("평가위원")
    STAFF = gettext_noop("관리자·관리책임자")


@dataclass(frozen=True)
class Event:
    key: str
    label: str | Promise  # translated lazily (the page's language; e-mails are Korean)
    audience: str
    subject: str  # a Django template; its msgid, translated by rendering.render
    mandatory: bool = False
    context_vars: tuple[str, ...] = ()

    @property
    def text_template(self) -> str:
        return f"notifications/email/{self.key}.txt"

    @property
    def html_template(self) -> str:
        return f"notifications/email/{self.key}.html"


_EVENTS = [
    # --- institutions --------------------------------------------------------------------------
    Event(
        "cycle_announced",
        pgettext_lazy("notification type", "평가 공고"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 공고"),
        context_vars=("cycle", "institution", "reference_date", "deadline"),
    ),
    Event(
        "application_received",
        pgettext_lazy("notification type", "신청 접수"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 신청 접수 ({{ institution }})"),
        context_vars=("cycle", "institution", "deadline"),
    ),
    Event(
        "evidence_deadline",
        pgettext_lazy("notification type", "증빙 제출 마감 안내"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] 증빙 제출 마감 {{ days_left }}일 전: {{ cycle }}"),
        context_vars=("cycle", "institution", "deadline", "days_left", "missing"),
    ),
    Event(
        "submission_confirmed",
        pgettext_lazy("notification type", "제출 확인"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 증빙 제출 완료 ({{ institution }})"),
        context_vars=("cycle", "institution", "submitted_at", "items"),
    ),
    Event(
        "evaluation_started",
        pgettext_lazy("notification type", "평가 시작"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 서류심사 시작"),
        context_vars=("cycle", "institution"),
    ),
    Event(
        "result_notified",
        pgettext_lazy("notification type", "결과통보"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 평가 결과 통보 ({{ institution }})"),
        mandatory=True,
        context_vars=("cycle", "institution", "objection_deadline"),
    ),
    Event(
        "objection_received",
        pgettext_lazy("notification type", "이의신청 접수"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 이의신청 접수 ({{ institution }})"),
        context_vars=("cycle", "institution", "received_at"),
    ),
    Event(
        "objection_decided",
        pgettext_lazy("notification type", "이의신청 결정"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] {{ cycle }} 이의신청 결정 ({{ institution }})"),
        mandatory=True,
        context_vars=("cycle", "institution", "decision", "reason"),
    ),
    Event(
        "certification_issued",
        pgettext_lazy("notification type", "인증서 발급"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] 인증서 발급: {{ institution }}"),
        mandatory=True,
        context_vars=("cycle", "institution", "number", "valid_until", "verify_url"),
    ),
    Event(
        "certification_revoked",
        pgettext_lazy("notification type", "인증 취소"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] 인증 취소: {{ institution }}"),
        mandatory=True,
        context_vars=("institution", "number", "reason", "revoked_on"),
    ),
    Event(
        "certification_expiring",
        pgettext_lazy("notification type", "인증 만료 예정"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] 인증 만료 {{ days_left }}일 전: {{ institution }}"),
        context_vars=("institution", "number", "valid_until", "days_left"),
    ),
    Event(
        "renewal_open",
        pgettext_lazy("notification type", "재인증 신청 안내"),
        Audience.INSTITUTION,
        gettext_noop("[{{ site_name }}] 재인증 신청 안내: {{ cycle }}"),
        context_vars=("cycle", "institution", "deadline", "valid_until"),
    ),
    # --- evaluators ----------------------------------------------------------------------------
    Event(
        "assignment_created",
        pgettext_lazy("notification type", "평가위원 배정"),
        Audience.EVALUATOR,
        gettext_noop("[{{ site_name }}] 평가위원 배정 안내: {{ cycle }}"),
        context_vars=("cycle", "applications"),
    ),
    Event(
        "scoring_deadline",
        pgettext_lazy("notification type", "평가 마감 안내"),
        Audience.EVALUATOR,
        gettext_noop("[{{ site_name }}] 평가 마감 {{ days_left }}일 전: {{ cycle }}"),
        context_vars=("cycle", "deadline", "days_left", "sheets"),
    ),
    Event(
        "sheet_reopened",
        pgettext_lazy("notification type", "재심 평가표 재개방"),
        Audience.EVALUATOR,
        gettext_noop("[{{ site_name }}] 재심 평가표 재개방: {{ institution }}"),
        context_vars=("cycle", "institution", "reason", "deadline"),
    ),
    Event(
        "withdrawal_decided",
        pgettext_lazy("notification type", "평가위원 철회 요청 결정"),
        Audience.EVALUATOR,
        gettext_noop("[{{ site_name }}] 평가위원 철회 요청 {{ decision }}: {{ institution }}"),
        context_vars=("cycle", "institution", "decision", "reason"),
    ),
    # --- admins and managers -------------------------------------------------------------------
    Event(
        "daily_digest",
        pgettext_lazy("notification type", "일일 업무 요약"),
        Audience.STAFF,
        gettext_noop("[{{ site_name }}] {{ day }} 처리할 일 {{ total }}건"),
        context_vars=("day", "total", "sections"),
    ),
]

EVENTS: dict[str, Event] = {e.key: e for e in _EVENTS}
MANDATORY: frozenset[str] = frozenset(e.key for e in _EVENTS if e.mandatory)


def get(key: str) -> Event:
    try:
        return EVENTS[key]
    except KeyError:
        raise ValueError(
            f"알 수 없는 알림 종류 '{key}'입니다 (notifications/events.py의 EVENTS에 없음)."
        ) from None


def choices() -> list[tuple[str, str]]:
    return [(e.key, e.label) for e in _EVENTS]
