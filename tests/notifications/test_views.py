"""The bell, the list, marking read, preferences and the outbox page, per persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services
from notifications.models import Notification, Preference

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
READ = reverse("notifications:read")
PREFS = reverse("notifications:preferences")
OUTBOX = reverse("notifications:outbox")


def _notices(user, n: int, start: int = 0, url: str = "/portal/") -> None:
    for i in range(start, start + n):
        services.notify(
            event="application_received",
            recipients=[user],
            url=url,
            context={"cycle": f"주기{i}", "institution": "한빛잡정보", "deadline": "-"},
            key=str(i),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_shows_only_my_notices_and_the_bell_counts_them(member, other_member, client_for):
    _notices(member, 2)
    _notices(other_member, 1, start=10)
    page = client_for(member).get(LIST).content.decode()
    assert "주기0" in page and "주기1" in page and "주기10" not in page
    assert 'data-testid="bell"' in page and ">2<span" in page


def test_list_query_count_is_constant_as_notices_grow(member, client_for):
    client = client_for(member)
    _notices(member, 3)
    small = _queries(client, LIST)
    _notices(member, 40, start=3)
    assert _queries(client, LIST) == small


def test_outbox_query_count_is_constant_as_rows_grow(member, other_member, admin_user, client_for):
    client = client_for(admin_user)
    _notices(member, 3)
    small = _queries(client, OUTBOX)
    _notices(member, 30, start=3)
    _notices(other_member, 30, start=100)
    assert _queries(client, OUTBOX) == small


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(member, client_for):
    _notices(member, 2, url="/applications/5/")
    client = client_for(member)
    first = Notification.objects.filter(recipient=member).order_by("pk").first()
    response = client.post(READ, {"id": first.pk})
    assert response.status_code == 302 and response["Location"] == "/applications/5/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1
    client.post(READ, {"all": "1"})
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert ">2<span" not in client.get(LIST).content.decode()


def test_nobody_opens_or_reads_someone_elses_notice(member, other_member, client_for):
    _notices(member, 1)
    mine = Notification.objects.get(recipient=member)
    response = client_for(other_member).post(READ, {"id": mine.pk})
    assert response.status_code == 404
    client_for(other_member).post(READ, {"all": "1"})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_an_external_url_is_never_followed(member, client_for):
    _notices(member, 1, url="https://evil.example/")
    row = Notification.objects.get(recipient=member)
    response = client_for(member).post(READ, {"id": row.pk})
    assert response["Location"] == LIST


def test_preferences_offer_my_kinds_and_lock_the_mandatory_ones(member, evaluator, client_for):
    page = client_for(member).get(PREFS).content.decode()
    assert "신청 접수" in page and "평가위원 배정" not in page
    assert 'value="result_notified" id="pref-result_notified" checked disabled' in page
    client_for(member).post(PREFS, {"email": ["cycle_announced"]})
    off = set(Preference.objects.filter(user=member, email=False).values_list("event", flat=True))
    assert "application_received" in off and "cycle_announced" not in off
    assert "result_notified" not in off  # mandatory: never stored as off
    assert "assignment_created" not in off  # not this user's kind: left alone
    assert "평가위원 배정" in client_for(evaluator).get(PREFS).content.decode()


def test_outbox_lists_rows_with_status_attempts_and_error_for_admins(
    member, admin_user, client_for
):
    _notices(member, 1)
    Notification.objects.update(
        status="failed", attempts=2, last_error="메일 서버 오류 451: 잠시 후"
    )
    page = client_for(admin_user).get(OUTBOX + "?status=failed").content.decode()
    assert "메일 서버 오류 451: 잠시 후" in page and "발송 실패" in page
