"""Browser: an autosave that meets a lost database connection (a 503 from
config/middleware.py) says so in the item's status line in Korean, keeps the screen's version
and saves the same input again by itself after Retry-After (docs/decisions/010)."""

import pytest
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import ItemScore
from evaluation.queries import sheet as sq

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_save_refused_by_a_lost_database_is_shown_and_retried(
    page, login, cleared_assignment, evaluator, monkeypatch
):
    login(evaluator.username)
    page.goto(reverse("evaluation:sheet", args=[cleared_assignment.pk]))
    card = page.locator('[data-item="A.1.1"]')
    expect(card).to_be_visible()

    real, calls = sq.sheet_progress, []

    def lost_once(assignment):  # the connection dies after the write, once
        calls.append(assignment.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(assignment)

    monkeypatch.setattr(sq, "sheet_progress", lost_once)
    card.get_by_label("A 우수").check()

    status = card.locator(".save-status")
    expect(status).to_contain_text("저장하지 못했습니다: 데이터베이스에 잠시 연결할 수 없어")
    expect(status).to_contain_text("5초 뒤 자동으로 다시 저장합니다")
    assert card.locator('input[name="version"]').input_value() == "0"  # the screen's version
    assert not ItemScore.objects.exists()  # rolled back with the failed answer

    expect(status).to_contain_text("저장됨", timeout=15_000)  # the retry, after Retry-After
    assert card.locator('input[name="version"]').input_value() == "1"
    row = ItemScore.objects.get()
    assert (row.grade, row.version) == ("A", 1)
