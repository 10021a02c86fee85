"""Retention: personal data kept only as long as allowed (ADR 016).

Two registries, so that each app states its own data without ``institutions`` importing it:

- **rules**: ``register_rule(Rule(...))``. A rule names its setting (a key of
  ``settings.RETENTION``, in days), finds the candidates whose period has passed
  (``candidates(cutoff)`` -> objects), and destroys them (``destroy(objects)`` deletes rows and
  the files in storage they own; it returns how many it destroyed).
- **holds** ("still needed" checks): ``register_hold(fn)`` where ``fn(obj) -> str`` returns why
  ``obj`` must be kept (e.g. "유효한 인증서의 증빙", "처리 중인 이의신청") or "". Every candidate
  of every rule passes every hold; a held object is never touched. The lead's 인증서 and
  이의신청 checks register here (``evaluation/retention.py``).

``purge_expired`` runs every rule and writes one ``Destruction`` record per rule that
destroyed anything (what, when, by which rule and period); the records themselves are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import (
    Affiliation,
    Destruction,
    EvaluatorProfile,
    PeopleEvent,
    PeopleEventKind,
    Registration,
    RegistrationStatus,
    User,
)


@dataclass(frozen=True)
class Rule:
    name: str  # stable identifier, recorded in Destruction.rule
    label: str  # Korean, for people
    setting: str  # key of settings.RETENTION (days)
    candidates: Callable  # (cutoff datetime) -> iterable of objects past their period
    destroy: Callable  # (list of objects) -> int destroyed
    describe: Callable = field(default=lambda obj: f"{obj.__class__.__name__} #{obj.pk}")


_RULES: dict[str, Rule] = {}
_HOLDS: list[Callable] = []


def register_rule(rule: Rule) -> Rule:
    _RULES[rule.name] = rule
    return rule


def register_hold(hold: Callable) -> Callable:
    if hold not in _HOLDS:
        _HOLDS.append(hold)
    return hold


def rules() -> list[Rule]:
    return list(_RULES.values())


def hold_reason(obj) -> str:
    for hold in _HOLDS:
        reason = hold(obj)
        if reason:
            return reason
    return ""


@dataclass
class Outcome:
    rule: Rule
    days: int
    due: list = field(default_factory=list)  # objects to destroy (or destroyed)
    held: list = field(default_factory=list)  # (object, reason)
    destroyed: int = 0


def purge_expired(*, dry_run: bool, now=None, by: User | None = None) -> list[Outcome]:
    """Run every rule. With ``dry_run`` nothing is destroyed or recorded."""
    now = now or timezone.now()
    outcomes = []
    for rule in rules():
        days = int(settings.RETENTION[rule.setting])
        outcome = Outcome(rule=rule, days=days)
        for obj in rule.candidates(now - timedelta(days=days)):
            reason = hold_reason(obj)
            if reason:
                outcome.held.append((obj, reason))
            else:
                outcome.due.append(obj)
        if not dry_run and outcome.due:
            with transaction.atomic():
                what = ", ".join(rule.describe(o) for o in outcome.due)
                outcome.destroyed = rule.destroy(outcome.due)
                Destruction.objects.create(
                    rule=rule.name,
                    rule_label=rule.label,
                    retention_days=days,
                    count=outcome.destroyed,
                    what=what,
                    held=len(outcome.held),
                    actor=by,
                )
        outcomes.append(outcome)
    return outcomes


# --- the people side's own rules -------------------------------------------------------------


def _delete_rows(objects) -> int:
    count = 0
    for obj in objects:
        obj.delete()
        count += 1
    return count


register_rule(
    Rule(
        name="rejected_registration",
        label="반려된 가입 신청",
        setting="rejected_registration",
        candidates=lambda cutoff: Registration.objects.filter(
            status=RegistrationStatus.REJECTED, decided_at__lt=cutoff
        ),
        destroy=_delete_rows,
        describe=lambda r: f"가입 신청 #{r.pk}",
    )
)
register_rule(
    Rule(
        name="unconfirmed_registration",
        label="이메일을 확인하지 않은 가입 신청",
        setting="unconfirmed_registration",
        candidates=lambda cutoff: Registration.objects.filter(
            status=RegistrationStatus.UNCONFIRMED, created_at__lt=cutoff
        ),
        destroy=_delete_rows,
        describe=lambda r: f"가입 신청 #{r.pk}",
    )
)


def _inactive_accounts(cutoff) -> Iterable[User]:
    """Accounts deactivated (recorded) before ``cutoff`` whose personal data is still there."""
    deactivated = PeopleEvent.objects.filter(
        kind=PeopleEventKind.DEACTIVATED, at__lt=cutoff
    ).values("subject_id")
    return User.objects.filter(pk__in=deactivated, is_active=False).exclude(
        username__startswith="purged-"
    )


def _anonymise(users) -> int:
    """Rows stay (scores, audit trails and logs point at them); what identifies the person
    goes: name, e-mail, username, password, and their evaluator profile and affiliations."""
    count = 0
    for user in users:
        User.objects.filter(pk=user.pk).update(
            username=f"purged-{user.pk}",
            name="(파기됨)",
            first_name="",
            last_name="",
            email="",
            password="!",
        )
        Affiliation.objects.filter(user=user).delete()
        EvaluatorProfile.objects.filter(user=user).delete()
        count += 1
    return count


register_rule(
    Rule(
        name="inactive_account",
        label="비활성화된 계정의 개인정보",
        setting="inactive_account",
        candidates=_inactive_accounts,
        destroy=_anonymise,
        describe=lambda u: f"사용자 #{u.pk}",
    )
)
