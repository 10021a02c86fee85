"""Members: invitations (accept, expired, reused), deactivation (access lost at once), the
append-only change record, the admin's institution pages, sanctions read by eligibility."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.services.applications import eligibility_problems
from institutions.models import Invitation, Membership, PeopleEvent, Sanction, User
from institutions.people import services
from institutions.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "colleague-pw-2026!"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _invite(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("people:members"), {"email": email})


def test_member_invites_a_colleague_who_sets_a_password(
    member, institution, django_capture_on_commit_callbacks, smtp_server
):
    """Through a real SMTP server (aiosmtpd)."""
    response = _invite(
        _client(member), "colleague@hanbit.example", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert smtp_server.envelopes == [["colleague@hanbit.example"]]
    assert institution.name in message["Subject"]
    link = re.search(r"https?://[^/\s]+(/\S+)", smtp_server.text(message)).group(1)
    anonymous = Client()
    assert institution.name in _text(anonymous.get(link))
    response = anonymous.post(
        link,
        {
            "name": "박동료",
            "username": "colleague",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    user = User.objects.get(username="colleague")
    assert user.email == "colleague@hanbit.example" and user.has_role(Role.INSTITUTION)
    assert Membership.objects.filter(user=user, institution=institution).exists()
    # the link is spent
    response = anonymous.get(link)
    assert "이미 사용된 초대 링크입니다" in _text(response)
    before = User.objects.count()
    anonymous.post(
        link,
        {"name": "x", "username": "again", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert User.objects.count() == before
    kinds = list(PeopleEvent.objects.order_by("pk").values_list("kind", "actor__username"))
    assert kinds == [("invited", "member1"), ("joined", "colleague")]


def test_expired_invitation_says_so_and_sends_a_new_link_to_the_same_address(
    member, settings, django_capture_on_commit_callbacks
):
    _invite(_client(member), "late@hanbit.example", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    settings.INVITATION_MAX_AGE = -1
    anonymous = Client()
    response = anonymous.get(link)
    text = _text(response)
    assert "유효기간이 지났습니다" in text and "새 초대 링크 받기" in text
    before = User.objects.count()
    response = anonymous.post(
        link, {"name": "x", "username": "late", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 400 and User.objects.count() == before
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(link.rstrip("/") + "/resend/")
    assert [m.to for m in mail.outbox] == [["late@hanbit.example"]] * 2
    settings.INVITATION_MAX_AGE = 3600
    response = anonymous.post(
        _link(mail.outbox[1]),
        {"name": "늦은이", "username": "late", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 302 and User.objects.filter(username="late").exists()


def test_member_cannot_invite_into_another_institution(member, other_institution):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            email="x@y.example", role=Role.INSTITUTION, institution=other_institution, by=member
        )
    with pytest.raises(PermissionDenied):  # nor invite evaluators
        services.invitation_create(email="x@y.example", role=Role.EVALUATOR, by=member)
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(member, institution, admin_user):
    User.objects.filter(pk=member.pk).update(email="m1@hanbit.example")
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            email="m1@hanbit.example", role=Role.INSTITUTION, institution=institution, by=admin_user
        )
    assert "이미 한빛잡정보의 구성원입니다" in exc.value.messages[0]
    assert not Invitation.objects.exists()


def test_members_page_shows_only_the_own_institution(member, other_member):
    text = _text(_client(member).get(reverse("people:members")))
    assert "member1" in text and "member9" not in text and "누리커리어" not in text


def test_deactivated_member_loses_access_at_once(member, admin_user, institution):
    client = _client(member)
    assert client.get(reverse("people:members")).status_code == 200
    membership = member.memberships.get()
    before = PeopleEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.member_deactivate(membership=membership, by=admin_user, reason="")
    assert "비활성화 사유를 입력하십시오" in exc.value.messages[0]
    assert PeopleEvent.objects.count() == before
    response = _client(admin_user).post(
        reverse("people:member_deactivate", args=[membership.pk]), {"reason": "퇴사"}
    )
    assert response.status_code == 302
    # the member's open session is refused on the next request
    response = client.get(reverse("people:members"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    event = PeopleEvent.objects.latest("pk")
    assert (event.kind, event.actor, event.subject, event.institution) == (
        "deactivated",
        admin_user,
        member,
        institution,
    )
    assert "퇴사" in event.detail


def test_only_admins_deactivate(member, manager, other_member):
    for user in (manager, other_member, member):
        with pytest.raises(PermissionDenied):
            services.member_deactivate(membership=member.memberships.get(), by=user, reason="x")
    member.refresh_from_db()
    assert member.is_active


def test_people_events_are_append_only(member, admin_user):
    services.member_deactivate(membership=member.memberships.get(), by=admin_user, reason="퇴사")
    event = PeopleEvent.objects.get()
    event.detail = "고침"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        PeopleEvent.objects.update(detail="x")
    with pytest.raises(PermissionError):
        PeopleEvent.objects.all().delete()


# --- admin pages ---------------------------------------------------------------------------


def test_institution_list_search_and_filters(admin_user, make_institution):
    a = make_institution("가람직업정보", type="regional")
    b = make_institution("나래커리어")
    Sanction.objects.create(
        institution=b, starts_on=date(2020, 1, 1), ends_on=None, reason="허위 신청"
    )
    client = _client(admin_user)
    url = reverse("people:institution_list")

    def names(**params):
        text = _text(client.get(url, params))
        return [n for n in ("가람직업정보", "나래커리어") if n in text]

    assert names() == ["가람직업정보", "나래커리어"]
    assert names(q="가람") == ["가람직업정보"]
    assert names(q=a.business_number) == ["가람직업정보"]
    assert names(type="regional") == ["가람직업정보"]
    assert names(sanction="active") == ["나래커리어"]
    assert names(sanction="none") == ["가람직업정보"]
    assert names(certificate="valid") == []


@pytest.mark.parametrize("n", [2, 20])
def test_institution_list_query_count_is_flat(
    n, admin_user, make_institution, django_assert_max_num_queries
):
    for i in range(n):
        make_institution(f"기관{i:03d}")
    client = _client(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("people:institution_list")).status_code == 200


def test_institution_detail_shows_members_and_records(
    admin_user, member, institution, other_member
):
    client = _client(admin_user)
    response = client.post(
        reverse("people:sanction_add", args=[institution.pk]),
        {"starts_on": "2026-01-01", "ends_on": "2025-01-01", "reason": "x"},
    )
    assert not Sanction.objects.exists()  # end before start: refused, nothing written
    client.post(
        reverse("people:sanction_add", args=[institution.pk]),
        {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "reason": "보조금 부정수급"},
    )
    text = _text(client.get(reverse("people:institution_detail", args=[institution.pk])))
    assert "member1" in text and "member9" not in text
    assert "보조금 부정수급" in text and "제재 기록" in text
    response = client.post(
        reverse("people:institution_edit", args=[institution.pk]),
        {
            "name": "한빛잡정보(주)",
            "type": "wide",
            "registered_on": "2015-01-01",
            "representative": "한대표",
            "address": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
        },
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.name == "한빛잡정보(주)"
    event = PeopleEvent.objects.filter(kind="institution_changed").get()
    assert "기관명: 한빛잡정보 → 한빛잡정보(주)" in event.detail and event.actor == admin_user


def test_sanction_blocks_eligibility_during_its_period(institution, admin_user):
    class Cycle:  # eligibility reads the reference date only
        reference_date = date(2026, 1, 1)

    institution.refresh_from_db()
    assert eligibility_problems(institution=institution, cycle=Cycle) == []
    services.sanction_record(
        institution=institution,
        by=admin_user,
        starts_on=date(2025, 6, 1),
        ends_on=date(2026, 3, 1),
        reason="허위 자료 제출",
    )
    [problem] = eligibility_problems(institution=institution, cycle=Cycle)
    assert "제재 중인 기관은 신청할 수 없습니다" in problem and "허위 자료 제출" in problem
    Cycle.reference_date = date(2026, 3, 2)  # after the end (and today is later still)
    if timezone.localdate() > date(2026, 3, 1):
        assert eligibility_problems(institution=institution, cycle=Cycle) == []


def test_sanction_on_today_counts_too(institution, admin_user):
    class Cycle:
        reference_date = date(2020, 1, 1)

    institution.refresh_from_db()

    services.sanction_record(
        institution=institution,
        by=admin_user,
        starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=None,
        reason="조사 중",
    )
    assert any("조사 중" in p for p in eligibility_problems(institution=institution, cycle=Cycle))


def test_evaluation_panel_and_certification_filter(admin_user, institution):
    """``evaluation`` adds its section and filter through the registry (institutions never
    imports evaluation)."""
    client = _client(admin_user)
    text = _text(client.get(reverse("people:institution_detail", args=[institution.pk])))
    assert "신청·인증서" in text and "신청 이력이 없습니다" in text
    listed = _text(client.get(reverse("people:institution_list"), {"certification": "none"}))
    assert institution.name in listed
    listed = _text(client.get(reverse("people:institution_list"), {"certification": "valid"}))
    assert institution.name not in listed


@pytest.mark.parametrize("n", [2, 20])
def test_registration_list_query_count_is_flat(n, admin_user, django_assert_max_num_queries):
    from institutions.models import Registration

    now = timezone.now()
    for i in range(n):
        Registration.objects.create(
            institution_name=f"기관{i}",
            business_number=f"{i:010d}",
            institution_type="wide",
            registered_on=date(2015, 1, 1),
            representative="대표",
            address="주소",
            contact_name="담당",
            email=f"r{i}@x.example",
            phone="010",
            username=f"reg{i}",
            password_hash="!",
            privacy_consent_at=now,
            privacy_consent_version="t",
            terms_consent_at=now,
            status="pending",
            email_confirmed_at=now,
        )
    client = _client(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:registration_list"))
    assert response.status_code == 200 and "기관1" in _text(response)


@pytest.mark.parametrize("n", [2, 20])
def test_members_page_query_count_is_flat(
    n, member, institution, make_user, django_assert_max_num_queries
):
    from institutions.services import membership_add

    for i in range(n):
        membership_add(user=make_user(f"col{i}", Role.INSTITUTION), institution=institution)
    client = _client(member)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:members"))
    assert "col1" in _text(response) or "col1" in response.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_people_log_lists_every_change_with_flat_queries(
    n, admin_user, member, institution, django_assert_max_num_queries
):
    for i in range(n):
        services.sanction_record(
            institution=institution,
            by=admin_user,
            starts_on=date(2020, 1, 1),
            ends_on=None,
            reason=f"사유{i}",
        )
    client = _client(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:people_log"))
    text = _text(response)
    assert "사유1" in text and "제재 기록" in text and admin_user.display_name in text
    assert _client(member).get(reverse("people:people_log")).status_code == 404
