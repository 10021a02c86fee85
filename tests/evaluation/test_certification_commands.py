"""manage.py export_certificates and revoke_certificate."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluation.models import Certification
from evaluation.services.certification import certifications_issue_for_cycle

from .certification_data import at_stage, with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def certs(application, other_application, admin_user, settings):
    settings.SITE_URL = "https://cert.example.kr/"
    with_result(application)
    with_result(other_application)
    return certifications_issue_for_cycle(
        cycle=at_stage(application.cycle), by=admin_user, on=date(2026, 3, 1)
    )


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_csv(certs):
    a, b = certs
    Certification.objects.filter(pk=b.pk).update(
        valid_from=date(2019, 1, 1), valid_until=date(2021, 12, 31)
    )
    rows = list(csv.reader(io.StringIO(_run("export_certificates", a.cycle.slug))))
    assert rows[0] == ["number", "institution", "valid_from", "valid_until", "status", "verify_url"]
    assert rows[1:] == [
        [
            a.number,
            a.institution.name,
            "2026-03-01",
            "2029-02-28",
            "valid",
            f"https://cert.example.kr/verify/{a.verification_code}/",
        ],
        [
            b.number,
            b.institution.name,
            "2019-01-01",
            "2021-12-31",
            "expired",
            f"https://cert.example.kr/verify/{b.verification_code}/",
        ],
    ]


def test_export_json(certs):
    a, _ = certs
    document = json.loads(_run("export_certificates", a.cycle.slug, "--format", "json"))
    assert document["cycle"] == a.cycle.slug
    assert [c["number"] for c in document["certifications"]] == [c.number for c in certs]
    assert document["certifications"][0]["status"] == "valid"
    assert document["certifications"][0]["verify_url"].startswith("https://cert.example.kr/")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_csv_neutralises_formulas(certs, start):
    a, _ = certs
    a.institution.__class__.objects.filter(pk=a.institution_id).update(name=f"{start}HYPERLINK(1)")
    out = _run("export_certificates", a.cycle.slug)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[1][1] == f"'{start}HYPERLINK(1)"


def test_export_unknown_cycle(db):
    with pytest.raises(CommandError, match="'nope' 평가 주기가 없습니다"):
        _run("export_certificates", "nope")


def test_revoke_command(certs, admin_user):
    a, _ = certs
    out = _run("revoke_certificate", a.number, "--by", admin_user.username, "--reason", "제재")
    a.refresh_from_db()
    assert a.revoked_by == admin_user and a.revocation_reason == "제재"
    assert f"인증서({a.number}, {a.institution.name})를 " in out and "취소했습니다" in out
    rows = list(csv.reader(io.StringIO(_run("export_certificates", a.cycle.slug))))
    assert rows[1][4] == "revoked"


def test_revoke_command_refusals_change_nothing(certs, admin_user, manager):
    a, _ = certs
    with pytest.raises(CommandError, match="인증번호 '제1999-0001호'인 인증서가 없습니다"):
        _run("revoke_certificate", "제1999-0001호", "--by", admin_user.username, "--reason", "x")
    with pytest.raises(CommandError, match="'ghost' 사용자가 없습니다"):
        _run("revoke_certificate", a.number, "--by", "ghost", "--reason", "x")
    with pytest.raises(CommandError, match="관리자가 아니어서"):
        _run("revoke_certificate", a.number, "--by", manager.username, "--reason", "x")
    with pytest.raises(CommandError, match="취소 사유를 입력하십시오"):
        _run("revoke_certificate", a.number, "--by", admin_user.username, "--reason", " ")
    a.refresh_from_db()
    assert a.revoked_at is None
