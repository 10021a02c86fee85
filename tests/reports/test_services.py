"""Requesting and rendering reports (Celery eager, in-process): lifecycle, idempotency by content,
faults. The real-worker tests are in test_worker.py."""

import io
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from evaluation.models import ItemScore, Result
from reports import breaker, documents, inputs, pdf, requests, services, tasks
from reports.models import Report, ReportKind, ReportStatus

from ..factories import add_application, make_institution
from .conftest import stored_files


def request_result(scored, by, capture, app=None):
    with capture(execute=True):
        return services.report_request_result(application=app or scored.app, by=by)


def test_a_request_is_queued_then_rendered_to_one_stored_pdf(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request_result(application=scored.app, by=manager)
    assert report.status == ReportStatus.QUEUED and report.attempts == 0
    assert stored_files(_uploads_in_tmp) == []  # nothing renders before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly, here)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 1 and report.error == ""
    assert report.kind == ReportKind.RESULT and report.application == scored.app
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes()[:5] == b"%PDF-"
    assert report.size == file.stat().st_size and len(report.sha256) == 64
    assert report.storage_key == f"reports/result/{file.name}"


def test_an_identical_request_is_served_without_rendering(
    scored, manager, admin_user, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    first = request_result(scored, manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.report_request_result(application=scored.app, by=admin_user)
    assert second.pk == first.pk
    assert callbacks == []  # nothing enqueued
    second.refresh_from_db()
    assert second.attempts == 1
    assert Report.objects.count() == 1 and len(stored_files(_uploads_in_tmp)) == 1


def test_a_changed_score_gives_a_new_hash_and_a_new_file(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    first = request_result(scored, manager, django_capture_on_commit_callbacks)
    # one evaluator changes a comment and the sheet is re-confirmed: the report changes
    row = ItemScore.objects.filter(sheet=scored.assignment.sheet).order_by("pk").first()
    row.strength = "수정된 강점 의견"
    row.save(update_fields=["strength"])
    second = request_result(scored, manager, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.input_hash != first.input_hash
    second.refresh_from_db()
    assert second.status == ReportStatus.DONE
    assert len(stored_files(_uploads_in_tmp)) == 2


def test_a_template_change_gives_a_new_hash(scored, monkeypatch):
    data = inputs.result_inputs(scored.app)
    before = services.input_hash(ReportKind.RESULT, data)
    monkeypatch.setattr(documents, "template_version", lambda: "another-layout")
    assert services.input_hash(ReportKind.RESULT, data) != before


def test_no_result_is_refused_and_nothing_is_written(
    scored, manager, admin_user, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    app = add_application(scored.cycle, make_institution("미평가기관", 77), admin_user)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        services.report_request_result(application=app, by=manager)
    assert "미평가기관(rpt-test): 평가 결과가 없습니다" in caught.value.messages[0]
    assert callbacks == [] and Report.objects.count() == 0
    assert stored_files(_uploads_in_tmp) == []


def test_a_template_error_fails_with_a_message_and_no_file(
    scored, manager, settings, tmp_path, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    broken = tmp_path / "templates" / "reports" / "pdf"
    broken.mkdir(parents=True)
    (broken / "result.html").write_text("{% if %}깨진 양식{% endif %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    report = request_result(scored, manager, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("보고서 양식(템플릿) 오류로 만들지 못했습니다")
    assert report.storage_key == "" and report.size is None
    assert stored_files(_uploads_in_tmp) == []


def test_a_missing_font_fails_with_a_message_and_no_file(
    scored, manager, monkeypatch, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    monkeypatch.setattr(pdf, "_environment_ok", False)
    monkeypatch.setattr(pdf, "korean_font_available", lambda: False)  # the system boundary
    report = request_result(scored, manager, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "한글 글꼴(NanumGothic)" in report.error and "fonts-nanum" in report.error
    assert stored_files(_uploads_in_tmp) == []


def test_a_failed_report_can_be_requested_again(
    scored, manager, monkeypatch, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    monkeypatch.setattr(pdf, "_environment_ok", False)
    monkeypatch.setattr(pdf, "korean_font_available", lambda: False)
    failed = request_result(scored, manager, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    again = request_result(scored, manager, django_capture_on_commit_callbacks)
    assert again.pk != failed.pk and again.input_hash == failed.input_hash
    again.refresh_from_db()
    assert again.status == ReportStatus.DONE
    assert len(stored_files(_uploads_in_tmp)) == 1


def test_a_transient_error_is_retried_and_the_report_completes(
    scored, manager, monkeypatch, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    real = documents.render_pdf_bytes
    calls = []

    def flaky(kind, data, **kw):
        calls.append(kind)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(kind, data, **kw)

    monkeypatch.setattr(documents, "render_pdf_bytes", flaky)
    report = request_result(scored, manager, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == ReportStatus.DONE and report.attempts == 2
    assert report.error == ""
    assert len(stored_files(_uploads_in_tmp)) == 1


def test_a_storage_error_is_retried_and_the_report_completes(
    scored, manager, monkeypatch, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    from django.core.files.storage import FileSystemStorage

    real, calls = FileSystemStorage._save, []

    def full_once(self, name, content):
        calls.append(name)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_once)
    report = request_result(scored, manager, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == ReportStatus.DONE and report.attempts == 2 and report.error == ""
    assert len(stored_files(_uploads_in_tmp)) == 1


def test_a_storage_that_keeps_failing_fails_the_report_with_its_reason(
    scored, manager, monkeypatch, settings, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    from django.core.files.storage import FileSystemStorage

    settings.REPORTS_MAX_ATTEMPTS = 3

    def always_full(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", always_full)
    request_result(scored, manager, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED and report.attempts == 3
    assert "3번 시도했지만" in report.error
    assert "파일 저장소 오류(OSError: [Errno 28] No space left on device)" in report.error
    assert stored_files(_uploads_in_tmp) == []


def test_a_poison_task_stops_after_the_attempt_limit(
    scored, manager, monkeypatch, settings, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    settings.REPORTS_MAX_ATTEMPTS = 3
    calls = []

    def always_down(kind, data, **kw):
        calls.append(kind)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(documents, "render_pdf_bytes", always_down)
    request_result(scored, manager, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert len(calls) == 3  # three attempts rendered; the fourth claim failed the report
    assert report.status == ReportStatus.FAILED and report.attempts == 3
    assert "3번 시도했지만" in report.error
    assert stored_files(_uploads_in_tmp) == []


def test_a_report_whose_worker_kept_dying_is_failed_not_rendered(
    scored, manager, settings, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    """Under reject_on_worker_lost a task that kills its worker comes back for ever; the row's
    attempt counter (incremented before each render) ends it."""
    settings.REPORTS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request_result(application=scored.app, by=manager)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, attempts=3)
    tasks.render_report.delay(report.pk)  # the redelivered message
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "3번 시도했지만 끝내지 못해 중단했습니다" in report.error
    assert stored_files(_uploads_in_tmp) == []


def test_a_redelivered_task_of_a_done_report_does_nothing(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    report = request_result(scored, manager, django_capture_on_commit_callbacks)
    tasks.render_report.delay(report.pk)
    report.refresh_from_db()
    assert report.attempts == 1 and len(stored_files(_uploads_in_tmp)) == 1


def test_a_render_superseded_by_a_newer_attempt_stores_nothing(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    """A slow first attempt finishing after its message was redelivered and claimed again."""
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request_result(application=scored.app, by=manager)
    first = services._claim(report.pk)
    second = services._claim(report.pk)  # the redelivery
    services._store(report.pk, first, {"pdf": b"%PDF-1.7 first"})
    assert stored_files(_uploads_in_tmp) == []
    services._store(report.pk, second, {"pdf": b"%PDF-1.7 second"})
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes() == b"%PDF-1.7 second"


def test_a_file_left_by_a_killed_attempt_is_overwritten_not_duplicated(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request_result(application=scored.app, by=manager)
    # attempt 1 wrote its file and died before the row said "done"
    key = services._storage_key(report, "pdf")
    leftover = _uploads_in_tmp / key
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-1.7 half")
    tasks.render_report.delay(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.storage_key == key
    [file] = stored_files(_uploads_in_tmp)
    assert file == leftover and file.read_bytes() != b"%PDF-1.7 half"


def test_a_lost_task_is_enqueued_again_by_the_next_request(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        lost = services.report_request_result(application=scored.app, by=manager)
    an_hour_ago = timezone.now() - timedelta(hours=1)  # requested and handed over back then
    Report.objects.filter(pk=lost.pk).update(created_at=an_hour_ago, enqueued_at=an_hour_ago)
    again = request_result(scored, manager, django_capture_on_commit_callbacks)
    assert again.pk == lost.pk
    again.refresh_from_db()
    assert again.status == ReportStatus.DONE


def test_sheet_and_summary_reports(scored, evaluator, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sheet = services.report_request_sheet(assignment=scored.assignment, by=evaluator)
        summary = services.report_request_summary(cycle=scored.cycle, by=manager)
    sheet.refresh_from_db()
    summary.refresh_from_db()
    assert sheet.status == summary.status == ReportStatus.DONE
    assert sheet.assignment == scored.assignment and sheet.xlsx_key == ""
    assert summary.xlsx_key.endswith(".xlsx") and summary.storage_key.endswith(".pdf")


# --- batches -----------------------------------------------------------------------------------


def test_a_batch_renders_every_result_report_into_one_zip(
    scored, manager, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.report_request_batch(cycle=scored.cycle, by=manager)
    batch.refresh_from_db()
    assert batch.status == ReportStatus.DONE
    assert (batch.progress_done, batch.progress_total) == (2, 2)
    parts = list(batch.parts.order_by("application__institution__name"))
    assert [p.application for p in parts] == sorted(
        [scored.app, scored.other_app], key=lambda a: a.institution.name
    )
    assert all(p.status == ReportStatus.DONE for p in parts)
    archive = zipfile.ZipFile(io.BytesIO((_uploads_in_tmp / batch.storage_key).read_bytes()))
    names = sorted(archive.namelist())
    assert names == sorted(p.file_name for p in parts)
    assert any("한빛잡정보" in n for n in names) and any("누리커리어" in n for n in names)
    for name in names:
        assert archive.read(name)[:5] == b"%PDF-"


def test_a_batch_reuses_result_reports_already_made(
    scored, manager, django_capture_on_commit_callbacks
):
    single = request_result(scored, manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.report_request_batch(cycle=scored.cycle, by=manager)
    assert batch.parts.filter(pk=single.pk).exists()
    single.refresh_from_db()
    assert single.attempts == 1  # not rendered again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.report_request_batch(cycle=scored.cycle, by=manager)
    assert again.pk == batch.pk and callbacks == []


def test_a_batch_with_a_failed_part_fails_naming_it(
    scored, manager, monkeypatch, django_capture_on_commit_callbacks, _uploads_in_tmp
):
    real = documents.render_pdf_bytes

    def fail_for_one(kind, data, **kw):
        if data["institution"]["name"] == "누리커리어":
            raise ValueError("그림을 그릴 수 없습니다")
        return real(kind, data, **kw)

    monkeypatch.setattr(documents, "render_pdf_bytes", fail_for_one)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.report_request_batch(cycle=scored.cycle, by=manager)
    batch.refresh_from_db()
    assert batch.status == ReportStatus.FAILED
    assert "결과보고서 1건을 만들지 못해" in batch.error and "누리커리어" in batch.error
    assert batch.progress_done == 1
    assert [p.name for p in stored_files(_uploads_in_tmp, "batch")] == []


def test_a_batch_without_results_is_refused(scored, manager):
    Result.objects.all().delete()
    with pytest.raises(ValidationError) as caught:
        services.report_request_batch(cycle=scored.cycle, by=manager)
    assert "계산된 평가 결과가 있는 신청이 없어" in caught.value.messages[0]
    assert Report.objects.count() == 0


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_the_same_moment_give_one_render(
    postgres_required, seed_rubric, admin_user, member, institution, evaluator, monkeypatch
):
    from ..factories import make_cycle, score_seeded

    cycle = make_cycle(seed_rubric, slug="rpt-race", by=admin_user)
    app = add_application(cycle, institution, member)
    score_seeded(app, [evaluator], seed=5)

    # Both threads look up the hash (and find nothing) before either inserts: the race the
    # partial unique constraint settles.
    looked_up = threading.Barrier(2)
    real_live, real_enqueue = requests._live, breaker._enqueue
    lookups, renders, reports, errors = [], [], [], []

    def live_then_wait(digest):
        found = real_live(digest)
        lookups.append(found)
        if len(lookups) <= 2:
            looked_up.wait(timeout=10)
        return found

    def counted_enqueue(report_id):
        renders.append(report_id)
        real_enqueue(report_id)

    def worker():
        try:
            reports.append(services.report_request_result(application=app, by=admin_user).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    monkeypatch.setattr(requests, "_live", live_then_wait)
    monkeypatch.setattr(breaker, "_enqueue", counted_enqueue)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert lookups[:2] == [None, None]  # both missed, both inserted
    assert len(lookups) == 3  # the loser looked again after its IntegrityError
    assert len(reports) == 2 and reports[0] == reports[1]
    assert renders == [reports[0]]  # one task enqueued, one render
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and report.attempts == 1
