"""Browser journey: the manager asks for every result report of a cycle, watches the progress
reach 100 % while a real Celery worker (two pool processes, Redis, PostgreSQL) renders them,
and downloads one ZIP holding one valid PDF per application."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from reports.models import Report, ReportAccess, ReportKind, ReportStatus

from ..factories import scored_cycle
from ..reports.pdftools import pages_of, text_of
from ..reports.worker import app_on_broker, broker_url, flush, new_queue, start_worker

pytestmark = [pytest.mark.e2e, pytest.mark.services, pytest.mark.django_db(transaction=True)]

N_APPLICATIONS = 4


@pytest.fixture
def broker(redis_url, postgres_required):
    url = broker_url(redis_url)
    flush(url)
    yield url
    flush(url)


def test_manager_renders_all_result_reports_and_downloads_the_zip(
    page, login, manager, admin_user, broker, tmp_path, _uploads_in_tmp
):
    import operations.demo.rubric

    cycle, apps = scored_cycle(
        operations.demo.rubric.seed(),
        n_applications=N_APPLICATIONS,
        admin=admin_user,
        slug="e2e-2026",
    )
    queue = new_queue()
    worker = start_worker(
        broker=broker,
        queue=queue,
        media=_uploads_in_tmp,
        log_dir=tmp_path,
        concurrency=2,
        render_delay=1,  # slow enough to watch
    )
    try:
        with app_on_broker(broker, queue):
            login(manager.username)
            page.goto(reverse("reports:cycle", args=[cycle.slug]))
            page.get_by_role("button", name="모든 결과보고서 만들기").click()
            page.wait_for_url(re.compile(r"/reports/\d+/$"))
            progress = page.get_by_test_id("report-progress-text")
            first = progress.inner_text()
            assert re.fullmatch(rf"[0-3] / {N_APPLICATIONS}건 \(\d+%\)", first), first
            seen = {first}
            # htmx polls the status every second; the text climbs to 100 %
            for _ in range(180):
                text = progress.inner_text()
                seen.add(text)
                if page.get_by_test_id("download").count():
                    break
                page.wait_for_timeout(500)
            assert f"{N_APPLICATIONS} / {N_APPLICATIONS}건 (100%)" in progress.inner_text()
            assert len(seen) >= 2, seen  # progress was shown moving, not just at the end
            with page.expect_download() as caught:
                page.get_by_test_id("download").click()
            download = caught.value
            zip_path = tmp_path / "reports.zip"
            download.save_as(zip_path)
    finally:
        worker.stop()

    assert download.suggested_filename == f"결과보고서_일괄_{cycle.slug}.zip"
    batch = Report.objects.get(kind=ReportKind.BATCH)
    assert batch.status == ReportStatus.DONE
    assert ReportAccess.objects.filter(report=batch, user=manager, format="zip").count() == 1
    archive = zipfile.ZipFile(io.BytesIO(zip_path.read_bytes()))
    names = archive.namelist()
    assert len(names) == N_APPLICATIONS
    institutions = {a.institution.name for a in apps}
    for name in names:
        path = tmp_path / f"part-{names.index(name)}.pdf"
        path.write_bytes(archive.read(name))
        assert pages_of(path) >= 6
        text = text_of(path)
        [owner] = [n for n in institutions if n in name]
        assert owner in text and "인증 평가 결과보고서" in text
        institutions.discard(owner)
    assert institutions == set()  # one PDF per application
