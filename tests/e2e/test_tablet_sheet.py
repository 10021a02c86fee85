"""Issue 17, part 3: the score sheet on a tablet during 현장실사 (768 × 1024 portrait and
1024 × 768 landscape), and on a 1366 × 768 laptop so the desktop layout does not regress.

At each size: no horizontal scrolling; every interactive element of the sheet's main area is at
least 44 × 44 CSS px (a radio's target is its label); the item index is one tap away (a toggle
in the sticky summary opens it as a side panel, and a link there brings the item into view);
the evidence preview opens in a new tab, so the sheet keeps its place. Screenshots are written to
a temporary directory (SHEET_SCREENSHOTS=<dir> keeps them) to be looked at.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ..evaluation import files as F

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(768, 1024), (1024, 768), (1366, 768)]
MIN_TARGET = 44

# Everything one can press or type into on the sheet, below the breadcrumbs.
INTERACTIVE = "a[href], button, input:not([type=hidden]), textarea, select, summary, [tabindex='0']"

MEASURE = """([selector, minimum]) => {
  const scope = document.querySelectorAll(
    "[data-testid=sheet-progress], .sheet-item, #sheet-index-panel.show");
  const small = [];
  for (const root of scope) {
    for (const el of root.querySelectorAll(selector)) {
      if (el.closest("[hidden], .visually-hidden, .offcanvas:not(.show)")) continue;
      // A radio or checkbox is pressed through its label, which covers the row.
      let target = el;
      if (el.matches("input[type=radio], input[type=checkbox]")) {
        target = document.querySelector(`label[for="${el.id}"]`) || el;
      }
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;  // not rendered at this size
      if (box.width < minimum || box.height < minimum) {
        small.push(`${el.tagName.toLowerCase()}#${el.id || ""}.${el.className}` +
                   ` "${(target.innerText || el.value || "").trim().slice(0, 30)}"` +
                   ` ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    }
  }
  return small;
}"""


@pytest.fixture
def shots(tmp_path):
    keep = os.environ.get("SHEET_SCREENSHOTS")
    directory = Path(keep) if keep else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def evidence(application, member):
    """Two files of evidence on A.1.1 (one previewable PDF), uploaded while a draft."""
    from evaluation import services

    item = application.cycle.rubric_version.items.get(code="A.1.1")
    uploads = [
        (
            F.upload("2026년 정보보호 운영계획서.pdf", F.pdf_bytes("plan")),
            "2026년 정보보호 운영계획서.pdf",
        ),
        (F.upload("점검 결과 사진.png", F.png_bytes()), "점검 결과 사진.png"),
    ]
    return services.evidence_files_add(
        application=application, item=item, uploads=uploads, by=member
    )


def _no_horizontal_scroll(page):
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"horizontal scrolling: {sizes[0]} > {sizes[1]} px"


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_sheet_at_tablet_and_laptop_sizes(
    page, login, evidence, cleared_assignment, evaluator, shots, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login(evaluator.username)
    url = reverse("evaluation:sheet", args=[cleared_assignment.pk])
    page.goto(url)
    name = f"sheet-{width}x{height}"
    page.screenshot(path=shots / f"{name}-top.png")

    _no_horizontal_scroll(page)
    small = page.evaluate(MEASURE, [INTERACTIVE, MIN_TARGET])
    assert not small, f"targets under {MIN_TARGET} px at {width}x{height}: {small}"

    # A grade is chosen by tapping its row (the label); the item completes.
    card = page.locator('[data-item="A.1.1"]')
    card.locator("label", has_text="S 탁월").click(position={"x": 300, "y": 20})
    card.get_by_label("강점").fill("현장 확인 결과 충실함")
    card.get_by_label("강점").press("Tab")
    expect(card.get_by_test_id("state-A.1.1")).to_have_text("✔ 완료")
    expect(card.get_by_label("S 탁월")).to_be_checked()

    # Half-way down the sheet the summary, with the index toggle, is still on screen.
    page.locator('[data-item="C.1.1"]').scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    toggle = page.get_by_test_id("index-toggle")
    expect(toggle).to_be_in_viewport()
    page.screenshot(path=shots / f"{name}-middle.png")

    # The index opens beside the sheet; an item chosen there comes into view and takes the
    # focus, and the panel closes.
    toggle.click()
    panel = page.get_by_test_id("sheet-index-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link")).to_have_count(19)
    # It marks the items completed since the page loaded.
    expect(panel.locator('a[data-index-item="A.1.1"] .index-done')).to_be_visible()
    expect(panel.locator('a[data-index-item="A.1.2"] .index-done')).to_be_hidden()
    page.wait_for_timeout(400)  # the slide-in transition
    page.screenshot(path=shots / f"{name}-index.png")
    small = page.evaluate(MEASURE, [INTERACTIVE, MIN_TARGET])
    assert not small, f"index targets under {MIN_TARGET} px at {width}x{height}: {small}"
    panel.locator('a[data-index-item="E.1.1"]').click()
    expect(panel).to_be_hidden()
    last = page.locator('[data-item="E.1.1"]')
    expect(last).to_be_in_viewport()
    expect(last).to_be_focused()
    assert page.url.endswith("#item-E.1.1")

    # The evidence preview opens in a new tab: the sheet stays where it was.
    page.locator('[data-item="A.1.1"]').scroll_into_view_if_needed()
    page.mouse.wheel(0, 150)
    preview = page.get_by_test_id(f"preview-{evidence[0].pk}")
    expect(preview).to_be_in_viewport()
    before = page.evaluate("() => [location.href, Math.round(window.scrollY)]")
    with page.context.expect_page() as opened:
        preview.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.endswith(reverse("evaluation:file_preview", args=[evidence[0].pk])), tab.url
    tab.close()
    assert page.evaluate("() => [location.href, Math.round(window.scrollY)]") == before
    _no_horizontal_scroll(page)
