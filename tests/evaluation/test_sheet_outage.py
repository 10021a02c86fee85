"""An autosave whose database goes away mid-request: a handled 503 (Korean, ``Retry-After``;
for htmx a one-line fragment the sheet's JS shows, keeping the screen's version) and the save
rolled back with it -- never a stored row behind a "not saved" answer. The real PostgreSQL
restart is in tests/faults/test_postgres_restart.py."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from evaluation.models import ItemScore, ScoreAudit, Sheet
from evaluation.queries import sheet as sq
from evaluation.services import sheet as ss

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SAVE = {"version": 0, "grade": "A", "strength": "근거가 충분함", "improvement": ""}
MESSAGE = "데이터베이스에 잠시 연결할 수 없어"


@pytest.fixture
def connection_lost_after_the_write(monkeypatch):
    """The connection dies after ``score_record`` wrote, while the answer is being built."""

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sq, "sheet_progress", lost)
    return monkeypatch


def _save(client, assignment, **headers):
    url = reverse("evaluation:score_save", args=[assignment.pk, "A.1.1"])
    return client.post(url, SAVE, headers=headers)


def test_a_lost_database_answers_503_with_a_fragment_and_stores_nothing(
    cleared_assignment, evaluator, client_for, connection_lost_after_the_write
):
    response = _save(client_for(evaluator), cleared_assignment, **HTMX)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert MESSAGE in html and "data-service-unavailable" in html
    assert "<html" not in html and "Traceback" not in html  # a fragment, not a page
    # Rolled back with the request: the sheet, the row and the audit row.
    assert (Sheet.objects.count(), ItemScore.objects.count(), ScoreAudit.objects.count()) == (
        0,
        0,
        0,
    )


def test_without_htmx_the_answer_is_a_korean_page(
    cleared_assignment, evaluator, client_for, monkeypatch
):
    def refused(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ss, "score_record", refused)  # the plain form's save never got in
    response = _save(client_for(evaluator), cleared_assignment)
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="ko">' in html and MESSAGE in html
    assert ItemScore.objects.count() == 0


def test_the_same_save_succeeds_once_the_database_is_back(
    cleared_assignment, evaluator, client_for, connection_lost_after_the_write
):
    client = client_for(evaluator)
    assert _save(client, cleared_assignment, **HTMX).status_code == 503
    connection_lost_after_the_write.undo()
    response = _save(client, cleared_assignment, **HTMX)  # the screen's version: still 0
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.content.decode()
    row = ItemScore.objects.get()
    assert (row.version, row.grade, ScoreAudit.objects.count()) == (1, "A", 1)
