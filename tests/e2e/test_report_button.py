"""Issue 14, item 17: a report request that takes a while (the embedded default renders in the
request) shows that it is working and cannot be sent twice. The server is slowed down in this
process (the live server is a thread of it) so the page can be looked at while it waits."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.factories import scored_cycle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_report_button_says_it_is_working_and_posts_once(
    page, login, manager, admin_user, monkeypatch
):
    import operations.demo.rubric
    from reports import services

    cycle, _apps = scored_cycle(
        operations.demo.rubric.seed(), n_applications=1, admin=admin_user, slug="e2e-button"
    )
    original = services.report_request_batch

    def slow(**kwargs):
        time.sleep(2)
        return original(**kwargs)

    monkeypatch.setattr(services, "report_request_batch", slow)
    login(manager.username)
    page.goto(f"/reports/cycles/{cycle.slug}/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # While the form's navigation is pending Playwright waits rather than read the page, so
    # the page records what its button shows, and presses it a second time once disabled.
    page.evaluate(
        """() => {
          const button = [...document.querySelectorAll("form[data-busy-label] button")]
            .find((b) => b.textContent.includes("모든 결과보고서 만들기"));
          const form = button.form;
          let submits = 0;
          document.addEventListener("submit", () => sessionStorage.setItem("submits", ++submits));
          new MutationObserver(() => {
            sessionStorage.setItem("seen", JSON.stringify({
              disabled: button.disabled, text: button.textContent,
              busy: form.getAttribute("aria-busy")}));
            if (button.disabled) button.click();
          }).observe(button, {attributes: true, childList: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="모든 결과보고서 만들기").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("report-progress-text")).to_be_visible()
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('seen'))")
    assert seen == {"disabled": True, "text": "만드는 중…", "busy": "true"}, seen
    assert page.evaluate("() => sessionStorage.getItem('submits')") == "1"
    assert len(posts) == 1, posts
