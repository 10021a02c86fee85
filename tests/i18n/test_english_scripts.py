"""Browser: on an English page the scripts speak English too (config/js_messages.py): the
score sheet's autosave status, switched with the top bar's English button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import browser, login, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_sheet_autosave_status_is_english_after_switching(
    page,  # noqa: F811
    login,  # noqa: F811
    cleared_assignment,
    evaluator,
):
    login(evaluator.username)
    page.goto(reverse("evaluation:sheet", args=[cleared_assignment.pk]))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    card = page.locator('[data-item="A.1.1"]')
    comment = card.locator("textarea").first
    comment.fill("근거 자료가 충분함")
    status = card.locator(".save-status")
    expect(status).to_contain_text("Typing")
    expect(status).not_to_contain_text("입력 중")
