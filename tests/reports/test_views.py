"""Report pages for every persona: who sees, requests and downloads what; outsiders get 404."""

import pytest
from django.urls import reverse

from evaluation.models import Stage
from reports import documents, services
from reports.models import Report, ReportAccess, ReportKind, ReportStatus

from ..conftest import PERSONAS
from ..factories import add_application, make_institution, score_seeded

STAFF = {"admin_user", "manager"}
REAL_RENDER = documents.render_pdf_bytes


@pytest.fixture(scope="session")
def small_pdf():
    from reports import pdf

    return pdf.render_pdf("<p>보고서</p>", "body { font-family: NanumGothic; }")


@pytest.fixture(autouse=True)
def _quick_pdfs(monkeypatch, small_pdf):
    """These tests are about access and pages, not layout: every PDF is the same small real
    one (rendering is covered by test_pdf_content.py and test_services.py)."""
    monkeypatch.setattr(documents, "render_pdf_bytes", lambda kind, data, **kw: small_pdf)


@pytest.fixture
def made(scored, manager, evaluator, django_capture_on_commit_callbacks):
    """One done report of each kind."""
    with django_capture_on_commit_callbacks(execute=True):
        result = services.report_request_result(application=scored.app, by=manager)
        other_result = services.report_request_result(application=scored.other_app, by=manager)
        sheet = services.report_request_sheet(assignment=scored.assignment, by=evaluator)
        summary = services.report_request_summary(cycle=scored.cycle, by=manager)
        batch = services.report_request_batch(cycle=scored.cycle, by=manager)
    for report in (result, other_result, sheet, summary, batch):
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE, report.error
    return {
        "result": result,
        "other_result": other_result,
        "sheet": sheet,
        "summary": summary,
        "batch": batch,
    }


# Who may see each report (the cycle is in the 결과통보 stage).
SEES = {
    "result": STAFF | {"member"},
    "other_result": STAFF | {"other_member"},
    "sheet": STAFF | {"evaluator"},
    "summary": STAFF,
    "batch": STAFF,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", list(SEES))
@pytest.mark.parametrize("view", ["detail", "status", "download"])
def test_report_pages_by_persona(made, persona, persona_client, which, view):
    user, client = persona_client
    report = made[which]
    response = client.get(reverse(f"reports:{view}", args=[report.pk]))
    if user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif persona in SEES[which]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_institutions_see_their_result_report_only_from_the_notification_stage(
    made, scored, client_for, member
):
    client = client_for(member)
    url = reverse("reports:download", args=[made["result"].pk])
    for stage in (Stage.COMMITTEE, Stage.NOTIFICATION, Stage.APPEAL, Stage.FINAL):
        scored.cycle.stage = stage
        scored.cycle.save(update_fields=["stage"])
        expected = 404 if stage == Stage.COMMITTEE else 200
        assert client.get(url).status_code == expected, stage


def test_a_download_is_logged_with_user_ip_and_format(made, client_for, manager):
    client = client_for(manager)
    response = client.get(
        reverse("reports:download", args=[made["summary"].pk]), REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]  # Korean file name
    response = client.get(
        reverse("reports:download", args=[made["summary"].pk]) + "?format=xlsx",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    accesses = list(ReportAccess.objects.order_by("pk").values_list("user", "ip", "format"))
    assert accesses == [(manager.pk, "10.1.2.3", "pdf"), (manager.pk, "10.1.2.3", "xlsx")]


def test_refused_downloads_are_not_logged(made, client_for, other_member, manager):
    assert (
        client_for(other_member)
        .get(reverse("reports:download", args=[made["result"].pk]))
        .status_code
        == 404
    )
    # a format the report does not have
    assert (
        client_for(manager)
        .get(reverse("reports:download", args=[made["result"].pk]) + "?format=xlsx")
        .status_code
        == 404
    )
    assert ReportAccess.objects.count() == 0


def test_a_report_not_done_has_no_download(scored, manager, client_for):
    report = services.report_request_result(application=scored.app, by=manager)  # not committed
    assert client_for(manager).get(reverse("reports:download", args=[report.pk])).status_code == 404


# --- requests ----------------------------------------------------------------------------------


def _post(client, name, arg):
    return client.post(reverse(f"reports:{name}", args=[arg]))


REQUESTS = {
    # view name, how to get its argument, who may request it
    "result": ("request_result", lambda s: s.app.pk, STAFF | {"member"}),
    "other_result": ("request_result", lambda s: s.other_app.pk, STAFF | {"other_member"}),
    "sheet": ("request_sheet", lambda s: s.assignment.pk, STAFF | {"evaluator"}),
    "summary": ("request_summary", lambda s: s.cycle.slug, STAFF),
    "batch": ("request_batch", lambda s: s.cycle.slug, STAFF),
}
KINDS = {"result": "result", "other_result": "result", "sheet": "sheet"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", list(REQUESTS))
def test_requests_by_persona(
    scored, persona, persona_client, which, django_capture_on_commit_callbacks
):
    user, client = persona_client
    name, arg, allowed = REQUESTS[which]
    with django_capture_on_commit_callbacks(execute=False):
        response = _post(client, name, arg(scored))
    if user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert Report.objects.count() == 0
    elif persona in allowed:
        report = Report.objects.get(kind=KINDS.get(which, which))
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:detail", args=[report.pk])
        assert report.requested_by == user
    else:
        assert response.status_code == 404
        assert Report.objects.count() == 0


def test_members_cannot_request_before_the_notification_stage(
    before_notification, client_for, member
):
    response = _post(client_for(member), "request_result", before_notification.app.pk)
    assert response.status_code == 404 and Report.objects.count() == 0


def test_requests_are_post_only(scored, client_for, manager):
    response = client_for(manager).get(reverse("reports:request_result", args=[scored.app.pk]))
    assert response.status_code == 405


def test_a_request_without_results_is_refused_with_the_reason(
    scored, client_for, manager, admin_user
):
    app = add_application(scored.cycle, make_institution("미평가기관", 81), admin_user)
    page = reverse("reports:cycle", args=[scored.cycle.slug])
    response = client_for(manager).post(
        reverse("reports:request_result", args=[app.pk]), {"next": page}, follow=True
    )
    assert response.redirect_chain == [(page, 302)]
    assert "미평가기관(rpt-test): 평가 결과가 없습니다" in response.content.decode()
    assert Report.objects.count() == 0


def test_an_offsite_next_is_ignored(scored, client_for, manager, admin_user):
    app = add_application(scored.cycle, make_institution("미평가기관", 82), admin_user)
    response = client_for(manager).post(
        reverse("reports:request_result", args=[app.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("reports:index")


def test_the_detail_page_polls_until_done_then_offers_the_download(
    scored, client_for, manager, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("reports:request_result", args=[scored.app.pk]))
    report = Report.objects.get()
    status_url = reverse("reports:status", args=[report.pk])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 1s"' in page
    assert "대기 중" in page and 'data-testid="download"' not in page
    callbacks[0]()  # the commit: the render runs
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment  # polling stops
    assert "<html" not in fragment  # a fragment, not a page
    assert "완료" in fragment and reverse("reports:download", args=[report.pk]) in fragment


def test_a_batch_page_shows_n_of_n(scored, client_for, manager, django_capture_on_commit_callbacks):
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("reports:request_batch", args=[scored.cycle.slug]))
    batch = Report.objects.get(kind=ReportKind.BATCH)
    fragment = client.get(reverse("reports:status", args=[batch.pk])).content.decode()
    assert "0 / 2건 (0%)" in fragment and 'max="2"' in fragment
    with django_capture_on_commit_callbacks(execute=True):  # the commit, and what it triggers
        for callback in callbacks:
            callback()
    fragment = client.get(reverse("reports:status", args=[batch.pk])).content.decode()
    assert "2 / 2건 (100%)" in fragment and "ZIP 내려받기" in fragment


def test_a_failed_report_shows_its_error_and_a_retry(
    scored, client_for, manager, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import documents, pdf

    monkeypatch.setattr(documents, "render_pdf_bytes", REAL_RENDER)  # it checks the fonts
    monkeypatch.setattr(pdf, "_environment_ok", False)
    monkeypatch.setattr(pdf, "korean_font_available", lambda: False)
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:request_result", args=[scored.app.pk]))
    report = Report.objects.get()
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "보고서를 만들지 못했습니다." in page and "fonts-nanum" in page
    assert reverse("reports:request_result", args=[scored.app.pk]) in page  # 다시 요청


# --- list pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_index_by_persona(made, persona, persona_client, make_user):
    user, client = persona_client
    response = client.get(reverse("reports:index"))
    if user is None:
        assert response.status_code == 302
        return
    if persona in {"other_evaluator"}:
        assert response.status_code == 200  # an evaluator without sheets: an empty page
        assert made["sheet"].title not in response.content.decode()
        return
    assert response.status_code == 200
    body = response.content.decode()
    visible = {which for which, who in SEES.items() if persona in who}
    for which, report in made.items():
        assert (report.title in body) == (which in visible), (persona, which)


def test_index_is_404_for_a_user_without_a_role(db, client_for, make_user):
    assert client_for(make_user("nobody")).get(reverse("reports:index")).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_cycle_page_and_access_log_are_for_staff(scored, persona, persona_client):
    user, client = persona_client
    for url in (reverse("reports:cycle", args=[scored.cycle.slug]), reverse("reports:access_log")):
        response = client.get(url)
        if user is None:
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if persona in STAFF else 404), url


def test_cycle_page_lists_applications_with_their_reports(made, scored, client_for, manager):
    body = client_for(manager).get(reverse("reports:cycle", args=[scored.cycle.slug])).content
    body = body.decode()
    for name in ("한빛잡정보", "누리커리어"):
        assert name in body
    assert reverse("reports:download", args=[made["result"].pk]) in body
    assert reverse("reports:request_sheet", args=[scored.assignment.pk]) in body
    assert reverse("reports:download", args=[made["batch"].pk]) in body


@pytest.fixture
def bigger(scored, admin_user):
    def grow(n_extra):
        for i in range(n_extra):
            app = add_application(
                scored.cycle, make_institution(f"추가기관{i:02d}", 300 + i), admin_user
            )
            score_seeded(app, scored.evaluators, seed=40 + i)

    return grow


@pytest.mark.parametrize("n_extra", [0, 8])
def test_cycle_page_queries_do_not_grow(
    scored,
    bigger,
    n_extra,
    client_for,
    manager,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    bigger(n_extra)
    with django_capture_on_commit_callbacks(execute=False):
        for app in scored.cycle.applications.all():
            services.report_request_result(application=app, by=manager)
    client = client_for(manager)
    url = reverse("reports:cycle", args=[scored.cycle.slug])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 25])
@pytest.mark.parametrize("persona", ["manager", "member", "evaluator"])
def test_index_queries_do_not_grow(
    scored,
    n,
    persona,
    request,
    client_for,
    manager,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """Many reports (one per changed score) on the index, for the three kinds of reader."""
    from evaluation.models import ItemScore

    row = ItemScore.objects.filter(sheet=scored.assignment.sheet).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=False):
        for i in range(n):
            row.strength = f"수정 {i}"
            row.save(update_fields=["strength"])
            services.report_request_result(application=scored.app, by=manager)
            services.report_request_sheet(assignment=scored.assignment, by=manager)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("reports:index")
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_access_log_queries_do_not_grow(
    made, n, client_for, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    for _ in range(n):
        client.get(reverse("reports:download", args=[made["result"].pk]))
    url = reverse("reports:access_log")
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count(made["result"].title) == min(n, 50)
