"""The rubric pages for every persona, the import/export/lifecycle buttons, the editor's htmx
requests, and constant query counts (19 vs 190 items)."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.interchange import dump_text, parse_text
from indicators.models import Item, RubricVersion, VersionStatus
from operations.demo.rubric import SEED_RUBRIC

from ..conftest import PERSONAS
from ..factories import build_rubric
from .conftest import PENALTY_RUBRIC, item_of
from .test_import_export import snapshot

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def published(db):
    return build_rubric(published=True, code="pub")


@pytest.fixture
def draft(db):
    return build_rubric(published=False, code="pub", version="2")


def _status(persona: str, *, admin: int, others: int) -> int:
    if persona == "anonymous":
        return 302
    return admin if persona == "admin_user" else others


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_published_to_every_role_and_drafts_to_admins(
    persona, persona_client, published, draft
):
    user, client = persona_client
    response = client.get("/rubrics/")
    assert response.status_code == _status(persona, admin=200, others=200)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
        return
    html = response.content.decode()
    assert f'href="/rubrics/{published.pk}/"' in html
    assert (f'href="/rubrics/{draft.pk}/"' in html) is (persona == "admin_user")
    assert ("평가지표 가져오기" in html) is (persona == "admin_user")


@pytest.mark.parametrize("persona", PERSONAS)
def test_published_page_is_readable_by_every_role(persona, persona_client, published):
    user, client = persona_client
    response = client.get(f"/rubrics/{published.pk}/")
    assert response.status_code == _status(persona, admin=200, others=200)
    if response.status_code == 200:
        html = response.content.decode()
        assert "A.1.1 착안사항" in html and "세부 1" in html and "A.1.1 평가목적" in html
        assert ("YAML 내려받기" in html) is (persona == "admin_user")


@pytest.mark.parametrize("persona", PERSONAS)
def test_drafts_and_admin_pages_are_404_to_everyone_but_admins(
    persona, persona_client, published, draft
):
    user, client = persona_client
    expected = _status(persona, admin=200, others=404)
    for url in (
        f"/rubrics/{draft.pk}/",
        f"/rubrics/{draft.pk}/edit/",
        f"/rubrics/{published.pk}/export/",
        "/rubrics/import/",
        f"/rubrics/{draft.pk}/edit/items/{draft.items.first().pk}/",
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin_user"])
def test_writes_are_404_to_everyone_but_admins_and_change_nothing(
    persona, persona_client, published, draft
):
    user, client = persona_client
    item = draft.items.get(code="A.1.1")
    before = snapshot()
    posts = [
        (
            f"/rubrics/{draft.pk}/edit/item/{item.pk}/update/",
            {"code": "X", "title": "x", "points": "1"},
        ),
        (f"/rubrics/{draft.pk}/edit/item/{item.pk}/remove/", {}),
        (f"/rubrics/{draft.pk}/edit/areas/add/", {"code": "Z", "title": "z", "points": "0"}),
        (f"/rubrics/{draft.pk}/publish/", {}),
        (f"/rubrics/{draft.pk}/delete/", {}),
        (f"/rubrics/{published.pk}/retire/", {}),
        (f"/rubrics/{published.pk}/clone/", {"new_version": "9"}),
        ("/rubrics/import/", {"file": SimpleUploadedFile("r.yaml", SEED_RUBRIC.read_bytes())}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if persona == "anonymous" else 404), url
    assert snapshot() == before


def test_the_editor_of_a_published_version_is_404_even_for_admins(
    client_for, admin_user, published
):
    client = client_for(admin_user)
    item = published.items.get(code="A.1.1")
    before = snapshot()
    assert client.get(f"/rubrics/{published.pk}/edit/").status_code == 404
    response = client.post(
        f"/rubrics/{published.pk}/edit/item/{item.pk}/update/",
        {"code": "A.1.1", "title": "바뀜", "points": "99"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_nav_links_to_the_rubric_list_for_every_role(client_for, manager, member):
    for user in (manager, member):
        assert 'href="/rubrics/"' in client_for(user).get("/").content.decode()


def test_admin_home_lists_rubric_versions(client_for, admin_user, published, draft):
    html = client_for(admin_user).get("/").content.decode()
    assert f'href="/rubrics/{published.pk}/"' in html
    assert f'href="/rubrics/{draft.pk}/edit/"' in html
    assert 'href="/rubrics/import/"' in html


# --- query counts: the same for 19 and 190 items ---------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["detail", "editor", "list"])
def test_pages_run_a_constant_number_of_queries(client_for, admin_user, page):
    client = client_for(admin_user)
    counts = []
    for n_items, code in ((19, "small"), (190, "large")):
        version = build_rubric(n_items=n_items, code=code, published=(page != "editor"))
        url = {
            "detail": f"/rubrics/{version.pk}/",
            "editor": f"/rubrics/{version.pk}/edit/",
            "list": "/rubrics/",
        }[page]
        counts.append(_count(client, url))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("n_items", [19, 190])
def test_detail_page_query_budget(client_for, manager, n_items, django_assert_max_num_queries):
    version = build_rubric(n_items=n_items)
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        assert client.get(f"/rubrics/{version.pk}/").status_code == 200


# --- import and export in the browser ------------------------------------------------------


def test_admin_uploads_a_rubric_and_lands_in_the_editor(client_for, admin_user):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("rubric.yaml", SEED_RUBRIC.read_bytes(), "application/yaml")
    response = client.post("/rubrics/import/", {"file": upload})
    version = RubricVersion.objects.get(rubric__code="job-information-provider")
    assert response.status_code == 302
    assert response["Location"] == f"/rubrics/{version.pk}/edit/"
    assert version.status == VersionStatus.DRAFT


def test_upload_with_publish_lands_on_the_rubric_page(client_for, admin_user):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("r.yaml", PENALTY_RUBRIC.read_bytes())
    response = client.post("/rubrics/import/", {"file": upload, "publish": "on"})
    version = RubricVersion.objects.get(rubric__code="seoul-district-incentive")
    assert response["Location"] == f"/rubrics/{version.pk}/"
    assert version.status == VersionStatus.PUBLISHED
    html = client.get(response["Location"]).content.decode()
    assert "감점 — 건당 -0.5점, 최대 -5점" in html
    assert "구간 평가 (단위: 명) — 0 이상 0.8점, 500 이상 1.6점" in html
    assert "점수 입력 — 0~2점, 0.5점 단위" in html


def test_a_bad_upload_lists_every_problem_and_writes_nothing(client_for, admin_user, published):
    client = client_for(admin_user)
    doc = parse_text(SEED_RUBRIC.read_bytes())
    item_of(doc, "B.3.1")["points"] = 85
    item_of(doc, "E.2.2")["scoring"] = {"method": "grade", "scale": "three"}
    before = snapshot()
    upload = SimpleUploadedFile("bad.yaml", dump_text(doc).encode())
    response = client.post("/rubrics/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "가져오지 않았습니다. 문제 2건:" in html
    assert "B.3: 항목 배점 합계 235 ≠ 지표 배점 230" in html
    assert "E.2.2: &#x27;three&#x27; 등급 척도가 없습니다" in html
    assert snapshot() == before


def test_a_file_that_is_not_yaml_is_refused_in_the_form(client_for, admin_user):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n\xff")
    response = client.post("/rubrics/import/", {"file": upload})
    assert response.status_code == 400
    assert "UTF-8 텍스트 파일이 아닙니다" in response.content.decode()
    assert not RubricVersion.objects.exists()


def test_export_downloads_the_yaml(client_for, admin_user, published):
    response = client_for(admin_user).get(f"/rubrics/{published.pk}/export/")
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pub-1.yaml"'
    doc = parse_text(response.content)
    assert (doc["code"], doc["version"], doc["total_points"]) == ("pub", "1", 190)


# --- lifecycle buttons ------------------------------------------------------------------------


def test_clone_button_makes_a_draft_and_opens_the_editor(client_for, admin_user, published):
    client = client_for(admin_user)
    response = client.post(f"/rubrics/{published.pk}/clone/", {"new_version": "2026"})
    clone = RubricVersion.objects.get(rubric__code="pub", version="2026")
    assert response["Location"] == f"/rubrics/{clone.pk}/edit/"
    assert clone.status == VersionStatus.DRAFT
    again = client.post(f"/rubrics/{published.pk}/clone/", {"new_version": "2026"})
    assert again.status_code == 400
    text = again.content.decode()
    # Issue 14, item 17: no field name ("version:") and no "가져오십시오" in a clone form.
    assert "&#x27;2026&#x27; 버전이 이미 있습니다. 다른 버전 이름을 입력하십시오" in text
    assert "version:" not in text and "가져오십시오" not in text


def test_clone_form_offers_a_free_version_name(client_for, admin_user, published):
    client = client_for(admin_user)
    page = client.get(f"/rubrics/{published.pk}/").content.decode()
    expected = str(int(published.version) + 1) if published.version.isdigit() else None
    assert expected is not None, published.version
    assert f'name="new_version" value="{expected}"' in page
    client.post(f"/rubrics/{published.pk}/clone/", {"new_version": expected})
    page = client.get(f"/rubrics/{published.pk}/").content.decode()
    assert f'name="new_version" value="{int(expected) + 1}"' in page


def test_publish_button_lists_blocking_problems_then_publishes(client_for, admin_user, draft):
    client = client_for(admin_user)
    Item.objects.filter(version=draft, code="B.1.1").update(points=12)
    response = client.post(f"/rubrics/{draft.pk}/publish/")
    # Refused: back to the editor (a reload does not post again), each problem listed once
    # in the publish panel as a link to its node.
    assert response.status_code == 302
    assert response["Location"] == f"/rubrics/{draft.pk}/edit/#publish-heading"
    html = client.get(response["Location"]).content.decode()
    assert "게시하지 않았습니다. &#x27;게시&#x27; 칸에 나열한 문제 1건을 먼저 해결하십시오." in html
    assert html.count("B.1: 항목 배점 합계 42 ≠ 지표 배점 40") == 2  # panel + the node itself
    assert '<a href="#problems-B.1">B.1: 항목 배점 합계 42 ≠ 지표 배점 40</a>' in html
    assert 'id="problems-B.1"' in html
    assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    Item.objects.filter(version=draft, code="B.1.1").update(points=10)
    response = client.post(f"/rubrics/{draft.pk}/publish/")
    assert response["Location"] == f"/rubrics/{draft.pk}/"
    assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED


def test_publish_asks_for_confirmation_naming_the_consequence(client_for, admin_user, draft):
    """Issue 14, item 14: the editor's 게시 opens a confirmation (a page without JS, the same
    form in a <dialog> with it) that says what publishing does; only its POST publishes."""
    client = client_for(admin_user)
    editor = client.get(f"/rubrics/{draft.pk}/edit/").content.decode()
    assert f'href="/rubrics/{draft.pk}/publish/" data-dialog="publish-dialog"' in editor
    assert '<dialog id="publish-dialog"' in editor
    page = client.get(f"/rubrics/{draft.pk}/publish/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "더 이상 바꿀 수 없고" in text and "되돌릴 수 없으며" in text
    assert f'<form method="post" action="/rubrics/{draft.pk}/publish/"' in text
    assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_publish_confirmation_of_a_published_version_goes_back(client_for, admin_user, published):
    response = client_for(admin_user).get(f"/rubrics/{published.pk}/publish/")
    assert response["Location"] == f"/rubrics/{published.pk}/"


def test_retire_and_delete_buttons(client_for, admin_user, published, draft):
    client = client_for(admin_user)
    client.post(f"/rubrics/{published.pk}/retire/")
    assert RubricVersion.objects.get(pk=published.pk).status == VersionStatus.RETIRED
    assert client.post(f"/rubrics/{draft.pk}/delete/")["Location"] == "/rubrics/"
    assert not RubricVersion.objects.filter(pk=draft.pk).exists()
    response = client.post(f"/rubrics/{published.pk}/delete/", follow=True)
    assert "초안만 수정할 수 있습니다" in response.content.decode()
    assert RubricVersion.objects.filter(pk=published.pk).exists()


# --- the editor ---------------------------------------------------------------------------------


def test_editor_shows_sums_and_highlights_each_mismatch_where_it_occurs(
    client_for, admin_user, draft
):
    Item.objects.filter(version=draft, code="C.1.1").update(points=D("12.5"))
    html = client_for(admin_user).get(f"/rubrics/{draft.pk}/edit/").content.decode()
    assert 'data-testid="sum-C.1" data-ok="false"' in html
    assert "항목 합계 42.5 ≠ 40 · 불일치" in html
    assert 'data-testid="sum-B.1" data-ok="true"' in html
    assert 'data-testid="sum-C" data-ok="true"' in html
    assert "C.1: 항목 배점 합계 42.5 ≠ 지표 배점 40" in html
    assert "게시 전에 해결할 문제 1건:" in html


def test_htmx_edit_saves_and_returns_the_tree_with_new_sums(client_for, admin_user, draft):
    client = client_for(admin_user)
    item = draft.items.get(code="A.1.1")
    response = client.post(
        f"/rubrics/{draft.pk}/edit/item/{item.pk}/update/",
        {"code": "A.1.1", "title": "운영계획", "points": "15"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rubric-editor"')  # the fragment, not the page
    assert "A.1.1 항목을 저장했습니다." in html
    assert "항목 합계 45 ≠ 40 · 불일치" in html
    stored = Item.objects.get(pk=item.pk)
    assert (stored.title, stored.points) == ("운영계획", D(15))


def test_htmx_refusal_shows_the_message_at_the_node_and_changes_nothing(
    client_for, admin_user, draft
):
    client = client_for(admin_user)
    item = draft.items.get(code="A.1.2")
    before = snapshot()
    response = client.post(
        f"/rubrics/{draft.pk}/edit/item/{item.pk}/update/",
        {"code": "A.1.1", "title": item.title, "points": "10"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = "A.1.1: 코드가 중복됩니다 (areas[0].indicators[0].items[0], areas[0].indicators[0].items[1])"
    assert html.count(message) == 2  # at the top and at the item that was edited
    assert snapshot() == before


def test_editor_form_errors_are_korean_and_name_the_node(client_for, admin_user, draft):
    client = client_for(admin_user)
    item = draft.items.get(code="A.1.2")
    before = snapshot()
    response = client.post(
        f"/rubrics/{draft.pk}/edit/item/{item.pk}/update/",
        {"code": "A.1.2", "title": item.title, "points": "열"},
    )
    assert response.status_code == 400
    assert "A.1.2: 배점 — 숫자를 입력하세요." in response.content.decode()
    assert snapshot() == before


def test_editor_add_move_remove_without_htmx(client_for, admin_user, draft):
    client = client_for(admin_user)
    area = draft.areas.get(code="E")
    response = client.post(
        f"/rubrics/{draft.pk}/edit/areas/{area.pk}/indicators/add/",
        {"code": "E.2", "title": "새 지표", "points": "0"},
    )
    assert response["Location"] == f"/rubrics/{draft.pk}/edit/"
    indicator = draft.indicators.get(code="E.2")
    client.post(
        f"/rubrics/{draft.pk}/edit/indicators/{indicator.pk}/items/add/",
        {"code": "E.2.1", "title": "새 항목", "points": "0"},
    )
    assert draft.items.get(code="E.2.1").inherits_default
    client.post(f"/rubrics/{draft.pk}/edit/indicator/{indicator.pk}/move/up/")
    assert list(area.indicators.order_by("order").values_list("code", flat=True)) == ["E.2", "E.1"]
    client.post(f"/rubrics/{draft.pk}/edit/indicator/{indicator.pk}/remove/")
    assert not draft.items.filter(code="E.2.1").exists()
    assert client.post(f"/rubrics/{draft.pk}/edit/item/1/move/sideways/").status_code == 404


def test_version_settings_and_substitution(client_for, admin_user, draft):
    client = client_for(admin_user)
    client.post(
        f"/rubrics/{draft.pk}/edit/settings/",
        {
            "title": "새 제목",
            "total_points": "200",
            "rounding_places": "1",
            "rounding_mode": "down",
        },
        **HTMX,
    )
    stored = RubricVersion.objects.get(pk=draft.pk)
    assert (stored.title, stored.total_points, stored.rounding_places, stored.rounding_mode) == (
        "새 제목",
        200,
        1,
        "down",
    )
    area = draft.areas.get(code="D")
    client.post(
        f"/rubrics/{draft.pk}/edit/areas/{area.pk}/substitution/",
        {"certificates": "ISMS-P", "award_ratio": "0.8", "note": ""},
    )
    assert draft.areas.get(code="D").substitution == {
        "certificates": ["ISMS-P"],
        "award_ratio": "0.8",
    }


def test_item_page_changes_method_and_guidance(client_for, admin_user, draft):
    client = client_for(admin_user)
    item = draft.items.get(code="E.1.1")
    url = f"/rubrics/{draft.pk}/edit/items/{item.pk}/"
    page = client.get(url).content.decode()
    assert 'name="method"' in page and "기본 채점 방식 따르기" in page
    response = client.post(
        url,
        {
            "code": "E.1.1",
            "title": item.title,
            "points": "10",
            "method": "bands",
            "unit": "건",
            "bands": "0, 2\n10, 6\n20, 10",
            "purpose": "첫째 목적\n\n둘째 목적",
            "evidence_hint": "실적 자료",
        },
    )
    assert response["Location"] == url
    stored = Item.objects.get(pk=item.pk)
    assert stored.method == "bands" and not stored.inherits_default
    assert stored.params["bands"][2] == {"min": "20", "points": "10"}
    assert stored.purpose == ["첫째 목적", "둘째 목적"]
    refused = client.post(
        url,
        {"code": "E.1.1", "title": item.title, "points": "10", "method": "bands", "bands": "0, 12"},
    )
    assert refused.status_code == 400
    assert "E.1.1: 구간 배점(12)이 항목 배점(10)보다 큽니다 (bands[0])" in refused.content.decode()
    assert Item.objects.get(pk=item.pk).params == stored.params
    malformed = client.post(
        url, {"code": "E.1.1", "title": "t", "points": "10", "method": "bands", "bands": "열, 2"}
    )
    assert "1행: &#x27;하한, 배점&#x27; 형식이어야 합니다" in malformed.content.decode()


def test_item_page_checkpoints(client_for, admin_user, draft):
    client = client_for(admin_user)
    item = draft.items.get(code="A.1.1")
    client.post(
        f"/rubrics/{draft.pk}/edit/items/{item.pk}/checkpoints/add/",
        {"text": "새 착안사항", "details": "하나\n둘"},
    )
    added = item.checkpoints.get(text="새 착안사항")
    assert added.details == ["하나", "둘"]
    client.post(f"/rubrics/{draft.pk}/edit/checkpoints/{added.pk}/move/up/")
    assert list(item.checkpoints.order_by("order").values_list("text", flat=True)) == [
        "새 착안사항",
        "A.1.1 착안사항",
    ]
    client.post(
        f"/rubrics/{draft.pk}/edit/checkpoints/{added.pk}/update/",
        {"text": "고친 착안사항", "details": ""},
    )
    assert item.checkpoints.get(pk=added.pk).details == []
    client.post(f"/rubrics/{draft.pk}/edit/checkpoints/{added.pk}/remove/")
    assert item.checkpoints.count() == 1
