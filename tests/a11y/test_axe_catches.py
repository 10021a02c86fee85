"""The suite can fail: axe, run as the suite runs it, finds known violations in a page made to
have them, and the suite's rule (serious or critical WCAG rules fail, the rest is reported)
sorts them as intended; the checks beyond axe find a chart without a table, a badge without
text and a poll without a pause control."""

import pytest

from .axe import BEYOND_AXE, axe_run

pytestmark = pytest.mark.e2e

BROKEN = """<!doctype html><html lang="ko"><head><title>시험</title></head><body>
<main><h2>제목</h2>
<p style="color:#92befe;background:#0d6efd">낮은 대비</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="x">
<img src="/cycles/x/dashboard/totals.svg" alt="총점 분포"><h2>다음</h2><table></table>
<span class="badge text-bg-success"> </span>
<div id="status" hx-get="/x/" hx-trigger="every 1s"></div>
</main></body></html>"""


def test_axe_finds_what_the_suite_must_fail_on(browser):
    page = browser.new_page()
    try:
        page.set_content(BROKEN)
        findings = {f.rule: f for f in axe_run(page, "self-test ko broken")}
        beyond = page.evaluate(BEYOND_AXE)
    finally:
        page.close()
    assert {"color-contrast", "image-alt", "label"} <= {r for r, f in findings.items() if f.fails}
    # no level-one heading: a best-practice finding, reported but not failing
    assert "page-has-heading-one" in findings
    assert not findings["page-has-heading-one"].fails
    assert [p.split(":")[0].split(" ")[:3] for p in beyond] == [
        ["the", "chart", "/cycles/x/dashboard/totals.svg"],
        ["a", "badge", "without"],
        ["a", "poll", "the"],
    ]
