"""Issue 17, part 2: a refused full-page form says what is wrong at its top, with a link to each
field, and each field points at its own message. One shared summary (templates/includes/
form_errors.html, used by crispy's errors.html and by pages that lay fields out one by one):
the new-cycle form, the rubric import, the application form; the 확정 page ties its error to the
password field."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_tied(page, field_id: str) -> str:
    """The field is marked invalid and described by a message on the page; returns it."""
    field = page.locator(f'[id="{field_id}"]')
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    texts = [
        page.locator(f'[id="{ref}"]').inner_text().strip()
        for ref in described
        if page.locator(f'[id="{ref}"]').count()
    ]
    errors = [t for t in texts if t and "error" in " ".join(described)]
    assert errors, f"{field_id} is described by {described}, none an error text"
    return texts[0]


def summary_link_moves_focus(page, field_id: str) -> None:
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()  # read first by a screen reader
    link = summary.locator(f'a[href="#{field_id}"]')
    expect(link).to_have_count(1)
    page.keyboard.press("Tab")
    while not link.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f'[id="{field_id}"]')).to_be_focused()


def test_cycle_form_summarises_its_errors_with_links(page, login, admin_user, rubric_version):
    login(admin_user.username)
    page.goto(reverse("evaluation:cycle_create"))
    page.get_by_role("button", name="평가 주기 만들기").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    # Every refused field is listed and linked, and points at its own message.
    for field_id in ("id_title", "id_slug"):
        label = page.locator(f'label[for="{field_id}"]').inner_text().rstrip("*").strip()
        expect(summary.locator(f'a[href="#{field_id}"]')).to_contain_text(label)
        assert_tied(page, field_id)
    summary_link_moves_focus(page, "id_slug")


def test_rubric_import_without_a_file(page, login, admin_user):
    login(admin_user.username)
    page.goto(reverse("indicators:version_import"))
    # The browser would stop an empty required file field itself; the server's answer is tested.
    page.locator("form[enctype]").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="가져오기").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("평가지표 파일")
    assert_tied(page, "id_file")
    summary_link_moves_focus(page, "id_file")


def test_application_form_without_an_institution(page, login, member, cycle, institution):
    login(member.username)
    page.goto(reverse("evaluation:apply", args=[cycle.slug]))
    page.get_by_label("신청 기관").select_option("")
    page.locator("form[method=post]").last.evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="신청하기").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("신청 기관")
    assert_tied(page, "id_institution")
    summary_link_moves_focus(page, "id_institution")


def test_confirm_page_ties_a_wrong_password_to_its_field(
    page, login, cleared_assignment, evaluator
):
    from evaluation.services.sheet import score_record

    for item in cleared_assignment.application.cycle.rubric_version.items.all():
        score_record(
            assignment=cleared_assignment,
            item=item,
            by=evaluator,
            version=0,
            entry="A",
            strength="충실함",
            improvement="",
        )
    login(evaluator.username)
    page.goto(reverse("evaluation:sheet_confirm", args=[cleared_assignment.pk]))
    page.get_by_label("비밀번호 (서명)").fill("틀린 비밀번호")
    page.get_by_role("button", name="확정합니다").click()
    errors = page.get_by_test_id("confirm-errors")
    expect(errors).to_have_attribute("role", "alert")
    expect(errors).to_be_focused()
    field = page.locator("#id_password")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "confirm-error")
    expect(page.locator("#confirm-error")).to_contain_text("비밀번호")
    errors.locator('a[href="#id_password"]').focus()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
