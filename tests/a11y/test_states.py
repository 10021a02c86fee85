"""The states that matter, through axe-core in Chromium, in Korean and in English: a score
sheet with a refused save, with a 409 conflict and its 확정 page refusing a wrong password; the
rubric editor with a sum mismatch and its 게시 dialog open; an upload refused; a report page
while the report renders (and its progress poll, which the user can pause and which stops by
itself)."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.services.sheet import score_record

from ..factories import build_rubric
from .axe import BEYOND_AXE, TALLY, axe_run, failure_report
from .conftest import LANGUAGES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class States:
    """axe on each state of one role's page, tallied like the page walk."""

    def __init__(self, page, role: str, lang: str):
        self.page, self.role, self.lang = page, role, lang
        self.findings, self.problems = [], []
        self.started = time.monotonic()

    def check(self, state: str) -> None:
        where = f"{self.role} {self.lang} {state}"
        self.problems += [f"{where}: {p}" for p in self.page.evaluate(BEYOND_AXE)]
        self.findings += axe_run(self.page, where)
        TALLY.pages[self.role, self.lang] += 1

    def assert_clean(self) -> None:
        TALLY.seconds += time.monotonic() - self.started
        TALLY.findings += self.findings
        assert not self.problems, "\n".join(self.problems)
        failing = [f for f in self.findings if f.fails]
        assert not failing, failure_report(failing)


def _page(open_context, user, lang):
    page = open_context(user, lang).new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_score_sheet_error_conflict_and_confirm(lang, open_context, cleared_assignment, evaluator):
    sheet_url = reverse("evaluation:sheet", args=[cleared_assignment.pk])
    page = _page(open_context, evaluator, lang)
    states = States(page, "evaluator", lang)
    page.goto(sheet_url)
    first, second = page.locator("form[data-sheet-item]").all()[:2]
    states.check(f"{sheet_url} (draft)")

    # A save refused by the server (422): a comment over the limit, sent past the maxlength.
    first.locator("textarea[name=strength]").evaluate(
        "el => { el.removeAttribute('maxlength'); el.value = 'x'.repeat(4001);"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    expect(first.get_by_test_id("save-error")).to_be_visible()
    states.check(f"{sheet_url} (save refused)")

    # Another tab saved the second item since this screen loaded it: 409 and the stored value.
    code = second.get_attribute("data-sheet-item")
    item = cleared_assignment.application.cycle.rubric_version.items.get(code=code)
    score_record(
        assignment=cleared_assignment,
        item=item,
        by=evaluator,
        version=0,
        entry="A",
        strength="다른 탭에서 저장",
        improvement="없음",
    )
    second.locator("input[name=grade]").first.check()
    expect(second.get_by_test_id("conflict")).to_be_visible()
    states.check(f"{sheet_url} (409 conflict)")

    # 확정 with items missing: the page lists them and offers no signature.
    confirm_url = reverse("evaluation:sheet_confirm", args=[cleared_assignment.pk])
    page.goto(confirm_url)
    expect(page.get_by_test_id("missing-items")).to_be_visible()
    states.check("확정 page (items missing)")

    # Every item scored (the other tab again): the summary and the password as signature; a
    # wrong password is refused, the error tied to the field.
    for item in cleared_assignment.application.cycle.rubric_version.items.exclude(code=code):
        score_record(
            assignment=cleared_assignment,
            item=item,
            by=evaluator,
            version=0,
            entry="A",
            strength="근거가 충분함",
            improvement="없음",
        )
    page.goto(confirm_url)
    password = page.locator("#id_password")
    password.fill("wrong-password")
    password.press("Enter")
    expect(page.get_by_test_id("confirm-errors")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    states.check("확정 page (wrong password)")
    states.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rubric_editor_mismatch_and_publish_dialog(lang, open_context, admin_user):
    draft = build_rubric(code="draft", published=False)
    page = _page(open_context, admin_user, lang)
    states = States(page, "admin_user", lang)
    page.goto(reverse("indicators:editor", args=[draft.pk]))
    points = page.locator("input[name=points]").nth(2)  # an item's points
    points.fill(str(int(points.input_value()) + 2))
    points.press("Tab")
    expect(page.locator("[data-ok=false]").first).to_be_visible()
    states.check("rubric editor (sum mismatch)")
    page.get_by_test_id("publish-open").click()
    expect(page.locator("#publish-dialog")).to_be_visible()
    states.check("rubric editor (게시 dialog open)")
    states.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refused_upload(lang, open_context, application, member, tmp_path):
    refused = tmp_path / "setup.exe"
    refused.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    page = _page(open_context, member, lang)
    states = States(page, "member", lang)
    page.goto(reverse("evaluation:item_evidence", args=[application.pk, "A.1.1"]))
    form = page.get_by_test_id("upload-form")
    form.locator("input[type=file]").set_input_files(str(refused))
    form.locator("button[type=submit]").click()
    expect(form.locator("progress.upload-refused")).to_be_attached()
    states.check("evidence upload (file refused)")
    states.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_while_rendering(lang, open_context, application, manager):
    from reports.models import Report, ReportKind, ReportStatus

    report = Report.objects.create(
        kind=ReportKind.RESULT,
        cycle=application.cycle,
        application=application,
        title="결과보고서",
        input_hash=hashlib.sha256(b"a11y").hexdigest(),
        template_version="a11y",
        status=ReportStatus.RUNNING,
        requested_by=manager,
        enqueued_at=timezone.now(),  # in a worker's hands: the poll has nothing to resend
        started_at=timezone.now(),
    )
    page = _page(open_context, manager, lang)
    states = States(page, "manager", lang)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/status/" in r.url else None)

    def next_poll():
        return page.expect_request(lambda r: "/status/" in r.url, timeout=10_000)

    def no_poll_for(ms: int):
        page.wait_for_timeout(300)  # a request sent just before now is reported late
        polls.clear()
        page.wait_for_timeout(ms)
        return polls == []

    with next_poll():  # the page polls the report's status
        page.goto(reverse("reports:detail", args=[report.pk]))
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "running")
    states.check("report page (rendering)")

    # WCAG 2.2.2: the user pauses the poll and resumes it...
    toggle, note = page.get_by_test_id("poll-toggle"), page.get_by_test_id("poll-note")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(note).to_have_text(note.get_attribute("data-text-paused"))
    states.check("report page (poll paused)")
    if lang != LANGUAGES[0]:
        states.assert_clean()
        return  # the timing below is the same in every language: checked once
    assert no_poll_for(2500), "the paused poll still asks the server"
    with next_poll():
        toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")

    # ... and it stops by itself after its time limit (lowered here from 10 minutes to 1 s).
    page.locator("[data-poll-control]").evaluate("el => el.dataset.pollLimitSeconds = '1'")
    expect(note).to_have_text(note.get_attribute("data-text-expired"), timeout=5_000)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert no_poll_for(2500), "the expired poll still asks the server"

    # Once the report is finished the poll ends and its control goes away.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="시험 실패")
    page.locator("[data-poll-control]").evaluate("el => el.dataset.pollLimitSeconds = '600'")
    toggle.click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "failed")
    expect(page.locator("[data-poll-control]")).to_have_count(0)
    states.check("report page (failed)")
    states.assert_clean()
