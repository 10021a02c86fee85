"""The suite can fail: axe, run as the suite runs it, finds known violations in a page made to
have them, and the suite's rule (serious or critical WCAG rules fail, the rest is reported)
sorts them as intended."""

import pytest

from .axe import axe_run

pytestmark = pytest.mark.e2e

BROKEN = """<!doctype html><html lang="ko"><head><title>시험</title></head><body>
<main><h2>제목</h2>
<p style="color:#92befe;background:#0d6efd">낮은 대비</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="x">
</main></body></html>"""


def test_axe_finds_what_the_suite_must_fail_on(browser):
    page = browser.new_page()
    try:
        page.set_content(BROKEN)
        findings = {f.rule: f for f in axe_run(page, "self-test ko broken")}
    finally:
        page.close()
    assert {"color-contrast", "image-alt", "label"} <= {r for r, f in findings.items() if f.fails}
    # no level-one heading: a best-practice finding, reported but not failing
    assert "page-has-heading-one" in findings
    assert not findings["page-has-heading-one"].fails
