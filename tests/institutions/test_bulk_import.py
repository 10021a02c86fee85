"""Bulk import of institutions: CSV and XLSX, all or nothing, every bad row named by line and
column, updates instead of duplicates, invitations to contact addresses, a preview first."""

import html
import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from institutions.models import Institution, Invitation, PeopleEvent, Sanction
from institutions.people.bulk_import import ImportInvalid, apply_import, plan_import

pytestmark = pytest.mark.django_db

HEADER = "기관명,사업자등록번호,유형,등록일,제재 종료일,담당자 이메일\n"
GOOD = (
    HEADER
    + "한빛잡정보,123-45-67891,광역형,2015-03-02,,hanbit@x.example\n"
    + "누리커리어,2208162517,Ⅱ형 지역특화형,2012.07.16,2027-06-30,\n"
)


def _rows():
    return (
        Institution.objects.count(),
        Sanction.objects.count(),
        Invitation.objects.count(),
        PeopleEvent.objects.count(),
    )


def test_csv_creates_sanctions_and_invites(admin_user, django_capture_on_commit_callbacks):
    plan = plan_import(GOOD.encode(), "list.csv")
    assert plan.summary() == "2행: 신규 2곳, 변경 0곳, 제재 기록 1건, 초대 1건"
    assert Institution.objects.count() == 0  # the preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(plan, by=admin_user)
    hanbit = Institution.objects.get(business_number="1234567891")
    nuri = Institution.objects.get(business_number="2208162517")
    assert (hanbit.name, hanbit.type, hanbit.registered_on) == (
        "한빛잡정보",
        "wide",
        date(2015, 3, 2),
    )
    assert (nuri.type, nuri.registered_on) == ("regional", date(2012, 7, 16))
    sanction = nuri.sanctions.get()
    assert (sanction.starts_on, sanction.ends_on) == (date(2012, 7, 16), date(2027, 6, 30))
    assert [m.to for m in mail.outbox] == [["hanbit@x.example"]]
    assert Invitation.objects.get().institution == hanbit


def test_existing_number_is_updated_not_duplicated(admin_user, make_institution):
    make_institution("옛이름", business_number="1234567891", registered_on="2015-03-02")
    plan = plan_import(GOOD.encode(), "list.csv")
    assert [r.action for r in plan.rows] == ["변경", "신규"]
    assert plan.rows[0].changes[0] == "기관명: 옛이름 → 한빛잡정보"
    apply_import(plan, by=admin_user)
    assert Institution.objects.filter(business_number="1234567891").get().name == "한빛잡정보"
    assert Institution.objects.count() == 2
    # the same file again: nothing new, nothing changed, no second sanction or invitation
    again = plan_import(GOOD.encode(), "list.csv")
    assert again.summary() == "2행: 신규 0곳, 변경 0곳, 제재 기록 0건, 초대 0건"


def test_every_bad_row_is_named_and_nothing_is_written(admin_user):
    bad = (
        HEADER
        + "한빛잡정보,123-45-67891,광역형,2015-03-02,,\n"
        + ",1234567890,광역형,2015-03-02,,\n"
        + "다온,1048145220,중간형,2015-13-45,어제,not-an-email\n"
        + "푸른,1234567891,광역형,2015-03-02,,\n"
    )
    before = _rows()
    with pytest.raises(ImportInvalid) as exc:
        plan_import(bad.encode(), "list.csv")
    assert exc.value.problems == [
        "3행 기관명: 비어 있습니다.",
        "3행 사업자등록번호: '1234567890' 값이 올바르지 않습니다 (숫자 10자리, 검증번호 확인).",
        "4행 유형: 알 수 없는 유형 '중간형'입니다 (광역형 또는 지역특화형).",
        "4행 등록일: '2015-13-45' 값은 날짜가 아닙니다 (YYYY-MM-DD).",
        "4행 제재 종료일: '어제' 값은 날짜가 아닙니다 (YYYY-MM-DD).",
        "4행 담당자 이메일: 'not-an-email' 값은 이메일 주소가 아닙니다.",
        "5행 사업자등록번호: 2행과 같은 번호(1234567891)입니다.",
    ]
    assert _rows() == before


def test_missing_columns_and_encoding():
    with pytest.raises(ImportInvalid) as exc:
        plan_import("기관명,유형\n가,광역형\n".encode(), "x.csv")
    assert exc.value.problems[0].startswith("1행: 필수 열이 없습니다: 사업자등록번호, 등록일")
    with pytest.raises(ImportInvalid) as exc:
        plan_import(GOOD.encode("cp949"), "x.csv")
    assert "UTF-8이 아닙니다" in exc.value.problems[0]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_date_cells(admin_user):
    content = _xlsx(
        [
            ["기관명", "사업자등록번호", "유형", "등록일"],
            ["한빛잡정보", 1234567891, "wide", date(2015, 3, 2)],
        ]
    )
    plan = plan_import(content, "list.xlsx")
    assert (plan.rows[0].number, plan.rows[0].registered_on) == ("1234567891", date(2015, 3, 2))
    apply_import(plan, by=admin_user)
    assert Institution.objects.get().name == "한빛잡정보"


def test_command(tmp_path, admin_user, capsys):
    path = tmp_path / "list.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_institutions", str(path), "--dry-run")
    assert "미리보기: 2행: 신규 2곳" in capsys.readouterr().out
    assert Institution.objects.count() == 0
    call_command("import_institutions", str(path), "--by", admin_user.username)
    assert Institution.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x,1,광역형,2015-01-01,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="문제 1건"):
        call_command("import_institutions", str(bad))
    assert "2행 사업자등록번호" in capsys.readouterr().err


def test_upload_page_previews_then_writes(admin_user, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("people:institution_import")
    upload = io.BytesIO(GOOD.encode())
    upload.name = "list.csv"
    response = client.post(url, {"file": upload})
    text = html.unescape(response.content.decode())
    assert response.status_code == 200 and "신규 2곳" in text
    assert Institution.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:institution_import_confirm"))
    assert response.status_code == 302 and Institution.objects.count() == 2
    # a bad file: 400, problems listed, nothing written
    bad = io.BytesIO((HEADER + "x,1,광역형,2015-01-01,,\n").encode())
    bad.name = "bad.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "2행 사업자등록번호" in html.unescape(response.content.decode())
    assert Institution.objects.count() == 2
