"""Issue 17, part 2: what axe cannot see on the score sheet, tested with the keyboard alone.

An evaluator logs in, scores all 19 items and confirms the sheet without ever touching the
mouse: only Tab/Shift+Tab, Space, the arrow keys, typing and Enter (page.keyboard and focus; no
click anywhere in this module). On the way: the focus is visibly outlined on a link, a radio, a
text field and a button; the autosave is announced in the item's live region and the field being
typed in keeps the focus when the status is replaced; a refused save is tied to its field
(aria-invalid, aria-describedby) and the focus stays on, or comes back to, that field.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import ItemScore, Sheet, SheetStatus
from evaluation.services.entries import MAX_COMMENT_CHARS

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE = """() => {
  const el = document.activeElement;
  return el ? {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "",
               testid: el.dataset.testid || "", checked: !!el.checked, value: el.value || ""}
            : {};
}"""

FOCUS_RING = """() => {
  const s = getComputedStyle(document.activeElement);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  return outline || (s.boxShadow && s.boxShadow !== "none");
}"""

POINTS = {"S": 10, "A": 8, "B": 6, "C": 4, "D": 2}


def keyboard_login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("아이디").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.wait_for_load_state("networkidle")


def tab_until(page, predicate, *, key="Tab", limit=400):
    for _ in range(limit):
        page.keyboard.press(key)
        active = page.evaluate(ACTIVE)
        if predicate(active):
            return active
    raise AssertionError(f"{key} never reached the element (last: {active})")


def test_evaluator_scores_and_confirms_the_whole_sheet_by_keyboard(
    page, cleared_assignment, evaluator
):
    assignment = cleared_assignment
    codes = list(
        assignment.application.cycle.rubric_version.items.order_by(
            "indicator__area__order", "indicator__order", "order"
        ).values_list("code", flat=True)
    )
    assert len(codes) == 19
    keyboard_login(page, evaluator.username)
    sheet_url = reverse("evaluation:sheet", args=[assignment.pk])
    page.goto(sheet_url)

    # The skip link is the first stop, and it shows its focus.
    active = tab_until(page, lambda a: a["tag"] == "a", limit=3)
    assert page.evaluate(FOCUS_RING), "a focused link has no visible outline"

    graded: dict[str, str] = {}
    commented: set[str] = set()
    seen_button_ring = False
    for _ in range(1500):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        ident = active["id"]
        if ident.startswith("grade-"):
            code = ident[len("grade-") : ident.rindex("-")]
            if code in graded:
                continue
            # The group is one Tab stop; Space picks the focused grade, an arrow the next.
            assert page.evaluate(FOCUS_RING), "a focused radio has no visible outline"
            page.keyboard.press("Space")
            if len(graded) % 2:
                page.keyboard.press("ArrowDown")
            active = page.evaluate(ACTIVE)
            assert active["checked"], active
            graded[code] = active["value"]
        elif ident.startswith("strength-"):
            code = ident[len("strength-") :]
            assert page.evaluate(FOCUS_RING), "a focused text field has no visible outline"
            page.keyboard.type(f"{code} 근거 자료가 충실함")
            commented.add(code)
            if len(commented) == 1:
                # Typing pauses: the autosave runs, the live region says so, and the field
                # keeps the focus while its status is replaced.
                status = page.locator(f'[id="status-{code}"]')
                expect(status).to_have_attribute("aria-live", "polite")
                expect(status).to_have_attribute("role", "status")
                expect(status).to_contain_text("저장됨")
                expect(page.locator(f'[id="strength-{code}"]')).to_be_focused()
        elif active["tag"] == "button" and not seen_button_ring:
            assert page.evaluate(FOCUS_RING), "a focused button has no visible outline"
            seen_button_ring = True
        if len(commented) == len(codes) and ident == f"improvement-{codes[-1]}":
            page.keyboard.press("Tab")  # leaving the last field saves it
            break
    assert set(graded) == set(codes) and commented == set(codes)
    expect(page.get_by_test_id("progress-label")).to_contain_text("19 / 19 항목 완료")
    expected = sum(POINTS[g] for g in graded.values())
    expect(page.get_by_test_id("running-total")).to_contain_text(f"합계 {expected}점 / 190점")

    # Back up to 확정 in the sticky summary, then sign with the password and press Enter.
    tab_until(page, lambda a: a["testid"] == "confirm-link", key="Shift+Tab", limit=600)
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirm/")
    tab_until(page, lambda a: a["id"] == "id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{sheet_url}")
    expect(page.get_by_test_id("sheet-status")).to_contain_text("확정")

    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.status == SheetStatus.CONFIRMED
    stored = dict(ItemScore.objects.filter(sheet=sheet).values_list("item__code", "grade"))
    assert stored == graded


def test_refused_save_is_tied_to_its_field_and_keeps_the_focus(page, cleared_assignment, evaluator):
    keyboard_login(page, evaluator.username)
    page.goto(reverse("evaluation:sheet", args=[cleared_assignment.pk]))
    code = "A.1.1"
    field = page.locator(f'[id="strength-{code}"]')
    status = page.locator(f'[id="status-{code}"]')
    too_long = "가" * (MAX_COMMENT_CHARS + 1)
    # The browser's maxlength would stop the typing; the server's limit is what is tested.
    field.evaluate("el => el.removeAttribute('maxlength')")

    # 1. Autosave while typing: refused; the field stays focused and points at the message.
    field.focus()
    page.keyboard.insert_text(too_long)
    error = status.get_by_test_id("save-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_id(f"save-error-{code}")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert field.get_attribute("aria-describedby").split() == [
        f"comment-rule-{code}",
        f"save-error-{code}",
    ]
    expect(field).to_be_focused()

    # 2. Corrected: saved, announced, and the field is no longer marked.
    page.keyboard.press("Control+A")
    page.keyboard.type("충실함")
    expect(status).to_contain_text("저장됨")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    # Its own description (the comment rule) stays; the error's id is gone.
    assert field.get_attribute("aria-describedby") == f"comment-rule-{code}"
    expect(field).to_be_focused()

    # 3. Sent with the 저장 button: the focus moves back to the field in error.
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(too_long)
    page.keyboard.press("Tab")  # leaves the field (its change saves: refused)
    expect(error).to_be_visible()
    save_button = page.locator(f'[data-item="{code}"] button[type=submit]')
    while not save_button.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    # Refused input stored nothing: the row holds the corrected comment of step 2.
    assert ItemScore.objects.get(sheet__assignment=cleared_assignment).strength == "충실함"


def test_idle_warning_is_early_enough_and_extends_with_one_key(
    page, evaluator, settings, monkeypatch
):
    """WCAG 2.2.1: the idle log-out warns at least 20 s ahead (60 s) and one simple action
    extends it: Enter on the 연장 button, which has the focus, or Escape anywhere in the box."""
    from institutions import sessions

    settings.SESSION_IDLE_TIMEOUT = 1  # one minute: the warning is due at once
    clock = {"t": 1_800_000_000}
    monkeypatch.setattr(sessions, "now", lambda: clock["t"])
    keyboard_login(page, evaluator.username)
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible")
    assert int(page.get_by_test_id("idle-warning").get_attribute("data-warn")) >= 20
    extend = page.get_by_role("button", name="로그인 연장")
    expect(extend).to_be_focused()
    for key in ("Enter", "Escape"):
        clock["t"] += 30
        with page.expect_response("**/accounts/session/extend/") as extended:
            page.keyboard.press(key)
        assert extended.value.json() == {"authenticated": True, "remaining": 60}, key


def test_checklist_shows_the_time_left_before_the_evidence_deadline(client, member, application):
    """Deadlines are shown with the time left while they are ahead (the cycle fixture's is a
    week away); once the cycle moved past 신청 the line keeps only the date."""
    from tests.process import set_stage

    client.force_login(member)
    url = reverse("evaluation:checklist", args=[application.pk])
    html = client.get(url).content.decode()
    assert '<span data-testid="deadline-left">(6일' in html and "남음)</span>" in html
    set_stage(application.cycle, "document_review")
    assert 'data-testid="deadline-left"' not in client.get(url).content.decode()


def test_conflict_keeps_the_focus_and_keep_mine_returns_it_to_the_field(
    page, cleared_assignment, evaluator
):
    """A 409 (the item was saved from another tab) shows the stored value in an alert below the
    field, which keeps the focus; 내 입력으로 덮어쓰기, pressed with Enter, saves and gives the
    focus back to the field instead of losing it with the alert."""
    from evaluation.services.sheet import score_record

    keyboard_login(page, evaluator.username)
    page.goto(reverse("evaluation:sheet", args=[cleared_assignment.pk]))
    code = "A.1.1"
    item = cleared_assignment.application.cycle.rubric_version.items.get(code=code)
    score_record(
        assignment=cleared_assignment,
        item=item,
        by=evaluator,
        version=0,
        entry="B",
        strength="다른 탭에서 쓴 강점",
        improvement="",
    )
    card = page.locator(f'[data-item="{code}"]')
    radio = card.get_by_label("S 탁월")
    radio.focus()
    page.keyboard.press("Space")
    conflict = card.get_by_test_id("conflict")
    expect(conflict).to_have_attribute("role", "alert")
    expect(conflict).to_contain_text("B (6점)")
    expect(radio).to_be_focused()
    keep_mine = conflict.get_by_role("button", name="내 입력으로 덮어쓰기")
    while not keep_mine.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(card.get_by_test_id("saved")).to_be_visible()
    expect(radio).to_be_focused()
    assert ItemScore.objects.get(sheet__assignment=cleared_assignment).grade == "S"
