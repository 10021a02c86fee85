"""No request talks to a mail server (issue 11, part 3): every e-mail is handed to a Celery
task on commit -- the notifications outbox (ADR 012) or ``institutions.tasks.send_email`` --
and sent by a worker with ``EMAIL_TIMEOUT`` and retries.

Each request path that sends mail runs here with a broker standing in for Redis: the task's
``delay`` records the message instead of running it. A path that sent mail inside the request
would fill ``mail.outbox`` while the request ran; here it must stay empty.
"""

import ast
import smtplib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from institutions import tasks as institution_tasks
from institutions.roles import Role
from notifications import tasks as notification_tasks

ROOT = Path(__file__).resolve().parents[2]
# The only production modules that may import Django's mail API: the two delivery tasks'.
MAIL_SENDERS = {"institutions/tasks.py", "notifications/services.py"}


def production_modules():
    for apps_py in sorted(ROOT.glob("*/apps.py")):
        yield from sorted(apps_py.parent.rglob("*.py"))
    yield from sorted((ROOT / "config").glob("*.py"))


def imports_mail(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        module = getattr(node, "module", None) or ""
        if isinstance(node, ast.ImportFrom) and (
            module.startswith("django.core.mail")
            or (module == "django.core" and any(alias.name == "mail" for alias in node.names))
        ):
            return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith("django.core.mail") for alias in node.names
        ):
            return True
    return False


def test_only_the_delivery_tasks_import_the_mail_api():
    found = {
        str(path.relative_to(ROOT))
        for path in production_modules()
        if "migrations" not in path.parts and imports_mail(ast.parse(path.read_text("utf-8")))
    }
    assert found == MAIL_SENDERS


def test_email_timeout_is_set():
    assert settings.EMAIL_TIMEOUT and settings.EMAIL_TIMEOUT <= 30


@pytest.fixture
def queued(monkeypatch):
    """A broker: each task's ``delay`` is recorded, not run."""
    sent = {"mail": [], "notifications": []}
    monkeypatch.setattr(
        institution_tasks.send_email, "delay", lambda *args: sent["mail"].append(args)
    )
    monkeypatch.setattr(
        notification_tasks.deliver_notifications,
        "delay",
        lambda ids: sent["notifications"].append(ids),
    )
    return sent


pytestmark = pytest.mark.django_db


def test_self_service_password_reset(client, make_user, queued, django_capture_on_commit_callbacks):
    make_user("member5", email="m5@agency.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "m5@agency.example"})
    assert response.status_code == 302
    assert mail.outbox == []
    [(subject, body, to, _html)] = queued["mail"]
    assert to == "m5@agency.example" and "비밀번호 재설정" in subject and "/accounts/reset/" in body


def test_admin_sends_a_reset_link(
    admin_user, evaluator, client_for, queued, django_capture_on_commit_callbacks
):
    evaluator.email = "ev1@example.invalid"
    evaluator.save()
    url = reverse("institutions:user_password_reset", args=[evaluator.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, {"reason": "분실 신고"})
    assert response.status_code == 302
    assert mail.outbox == []
    assert [args[2] for args in queued["mail"]] == ["ev1@example.invalid"]


def test_registration_confirmation(client, queued, django_capture_on_commit_callbacks):
    from tests.institutions.test_people_registration import form_data

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:register"), form_data())
    assert response.status_code == 302
    assert mail.outbox == []
    assert [args[2] for args in queued["mail"]] == ["contact@saegil.example"]


def test_assignment_notice(
    application, admin_user, make_user, client_for, queued, django_capture_on_commit_callbacks
):
    new = make_user("evaluator3", Role.EVALUATOR, email="ev3@example.kr")
    url = reverse("evaluation:application_assignments", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, {"evaluator": new.pk})
    assert response.status_code == 302
    assert mail.outbox == []
    [ids] = queued["notifications"]
    assert len(ids) == 1


class Flaky:
    """Stands in for the SMTP backend's ``send``: fails with ``error`` ``times`` times."""

    def __init__(self, error, times):
        self.error, self.times, self.calls = error, times, 0

    @property
    def send(self):
        def send(message, fail_silently=False):
            self.calls += 1
            if self.calls <= self.times:
                raise self.error
            return 1

        return send


def test_the_task_retries_a_temporary_failure_with_a_growing_delay(monkeypatch):
    flaky = Flaky(smtplib.SMTPServerDisconnected("hung"), times=1)
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", flaky.send)
    retried = []

    def retry(*, exc, countdown):
        retried.append(countdown)
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(institution_tasks.send_email, "retry", retry)
    monkeypatch.setattr(institution_tasks.send_email.request, "is_eager", False, raising=False)
    monkeypatch.setattr(institution_tasks.send_email.request, "retries", 2, raising=False)
    with pytest.raises(RuntimeError, match="retry scheduled"):
        institution_tasks.send_email.run("제목", "본문", "a@example.kr")
    assert retried == [institution_tasks.retry_delay(2)] == [240]
    assert institution_tasks.send_email.run("제목", "본문", "a@example.kr") is True


def test_under_eager_celery_a_failure_is_one_attempt_not_a_loop(monkeypatch):
    flaky = Flaky(TimeoutError("timed out"), times=10)
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", flaky.send)
    result = institution_tasks.send_email.apply(("제목", "본문", "a@example.kr"))
    assert result.get() is False and flaky.calls == 1
