"""Browser journey (issue 19): an institution registers, confirms its e-mail from the link it
was sent, an admin approves it, the new member logs in, invites a colleague who sets a
password, and the institution applies to the demo data's open cycle ``demo-open``."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from evaluation.models import Application, Cycle
from institutions.models import Institution, Registration, RegistrationStatus, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "saegil-Pw-2026!"
COLLEAGUE_PASSWORD = "colleague-Pw-2026!"


def _path_of_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def _log_out(page):
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url("**/accounts/login/")


def test_register_confirm_approve_invite_apply(page, login, admin_user):
    call_command("seed_demo", verbosity=0)  # demo-open: a cycle taking applications
    assert Cycle.objects.filter(slug="demo-open").exists()

    # 1. Sign-up, from the log-in page's link
    page.goto("/accounts/login/")
    page.get_by_role("link", name="기관 회원가입 신청").click()
    form = page.get_by_test_id("register-form")
    form.get_by_label("기관명").fill("새길일자리")
    form.get_by_label("사업자등록번호").fill("502-81-12340")
    form.get_by_label("유형").select_option("wide")
    form.get_by_label("등록일").fill("2016-03-02")
    form.get_by_label("대표자").fill("김대표")
    form.get_by_label("주소").fill("서울특별시 중구 세종대로 110")
    form.get_by_label("담당자 이름").fill("이담당")
    form.get_by_label("담당자 이메일").fill("contact@saegil.example")
    form.get_by_label("담당자 전화").fill("02-123-4567")
    form.get_by_label("아이디").fill("saegil")
    form.locator("#id_password").fill(PASSWORD)
    form.get_by_label("비밀번호 확인").fill(PASSWORD)
    # the consent is shown in full and ticked apart from the terms
    assert "동의를 거부할 권리" in page.get_by_test_id("privacy-consent").inner_text()
    form.get_by_label("위 개인정보 수집·이용에 동의합니다 (필수)").check()
    form.get_by_label("이용약관에 동의합니다 (필수)").check()
    form.get_by_role("button", name="가입 신청").click()
    page.get_by_test_id("register-sent").wait_for()

    # 2. Not approved yet: the log-in is refused
    login("saegil", PASSWORD)
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in page.content()

    # 3. The confirmation link from the e-mail
    [confirm] = _mails_to("contact@saegil.example")
    page.goto(_path_of_link(confirm))
    page.get_by_role("button", name="이메일 주소 확인").click()
    page.get_by_test_id("register-confirmed").wait_for()
    assert Registration.objects.get().status == RegistrationStatus.PENDING

    # 4. The admin approves
    login(admin_user.username)
    page.get_by_role("button", name="관리", exact=True).click()  # the admin menu of people pages
    page.get_by_role("link", name="가입 심사").click()
    page.get_by_role("link", name="새길일자리").click()
    page.get_by_role("button", name="승인").click()
    assert page.get_by_test_id("registration-status").inner_text() == "승인"
    assert "승인" in _mails_to("contact@saegil.example")[-1].subject
    _log_out(page)

    # 5. The new member logs in and invites a colleague
    login("saegil", PASSWORD)
    assert "이담당" in page.get_by_test_id("whoami").inner_text()
    page.get_by_role("link", name="구성원").click()
    page.get_by_test_id("invite-form").get_by_label("이메일").fill("colleague@saegil.example")
    page.get_by_role("button", name="초대").click()
    page.get_by_text("colleague@saegil.example에 초대 메일을 보냈습니다.").wait_for()
    [invitation] = _mails_to("colleague@saegil.example")

    # 6. The institution applies to demo-open
    page.get_by_role("link", name="신청·증빙").click()
    item = page.locator("li", has=page.get_by_role("link", name="신청하기")).filter(
        has_text=Cycle.objects.get(slug="demo-open").title
    )
    item.get_by_role("link", name="신청하기").click()
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_load_state("networkidle")
    institution = Institution.objects.get(business_number="5028112340")
    assert Application.objects.filter(cycle__slug="demo-open", institution=institution).exists()
    _log_out(page)

    # 7. The colleague sets a password through the invitation link and logs in
    page.goto(_path_of_link(invitation))
    page.get_by_label("이름").fill("박동료")
    page.get_by_label("아이디").fill("saegil2")
    page.locator("#id_password").fill(COLLEAGUE_PASSWORD)
    page.get_by_label("비밀번호 확인").fill(COLLEAGUE_PASSWORD)
    page.get_by_role("button", name="계정 만들기").click()
    page.wait_for_url("**/accounts/login/")
    login("saegil2", COLLEAGUE_PASSWORD)
    assert "박동료" in page.get_by_test_id("whoami").inner_text()
    colleague = User.objects.get(username="saegil2")
    assert institution.memberships.filter(user=colleague).exists()
