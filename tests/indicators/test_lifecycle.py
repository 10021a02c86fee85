"""draft → published → retired; cloning; the demo seed; and the freeze seen from Django admin
and from a model form."""

from decimal import Decimal as D

import pytest
from django import forms
from django.utils import timezone

from indicators.models import FrozenRubricError, Item, RubricVersion, VersionStatus
from indicators.queries import rubric_document
from indicators.services import (
    RubricStateError,
    rubric_import,
    rubric_version_clone,
    rubric_version_delete,
    rubric_version_publish,
    rubric_version_retire,
)
from indicators.validation import RubricInvalid
from operations.demo import rubric as demo

from ..factories import build_rubric
from .conftest import PENALTY_RUBRIC


@pytest.fixture
def draft(db):
    return build_rubric(published=False, version="draft")


@pytest.fixture
def published(db):
    return build_rubric(published=True)


def test_publish_freezes_a_valid_draft(draft):
    rubric_version_publish(version=draft)
    stored = RubricVersion.objects.get(pk=draft.pk)
    assert stored.status == VersionStatus.PUBLISHED
    assert stored.published_at is not None
    with pytest.raises(RubricStateError, match="초안만 게시할 수 있습니다 \\(현재 상태: 게시\\)"):
        rubric_version_publish(version=stored)


def test_publish_refuses_with_the_full_list_and_changes_nothing(draft):
    Item.objects.filter(version=draft, code="A.1.1").update(points=15)
    Item.objects.filter(version=draft, code="C.1.2").update(points=0)
    before = RubricVersion.objects.values().get(pk=draft.pk)
    with pytest.raises(RubricInvalid) as caught:
        rubric_version_publish(version=draft)
    assert [str(p) for p in caught.value.problems] == [
        "A.1: 항목 배점 합계 45 ≠ 지표 배점 40",
        "C.1: 항목 배점 합계 30 ≠ 지표 배점 40",
    ]
    assert RubricVersion.objects.values().get(pk=draft.pk) == before


def test_clone_copies_everything_into_a_new_draft(published):
    clone = rubric_version_clone(version=published, new_version="2")
    assert clone.status == VersionStatus.DRAFT
    assert clone.cloned_from_id == published.pk
    original, copied = rubric_document(published), rubric_document(clone)
    assert copied == {**original, "version": "2"}
    assert clone.items.count() == published.items.count() == 19
    # The copy is independent: changing it leaves the published version as it was.
    Item.objects.filter(version=clone).update(points=1)
    assert rubric_document(RubricVersion.objects.get(pk=published.pk)) == original


def test_clone_refuses_an_existing_or_empty_version(published):
    with pytest.raises(RubricInvalid, match="새 버전: '1' 버전이 이미 있습니다. 다른 버전 이름을"):
        rubric_version_clone(version=published, new_version="1")
    with pytest.raises(RubricInvalid, match="새 버전 이름을 입력하십시오"):
        rubric_version_clone(version=published, new_version="  ")
    assert RubricVersion.objects.count() == 1


def test_retire_a_published_version_only(published, draft):
    rubric_version_retire(version=published)
    assert RubricVersion.objects.get(pk=published.pk).status == VersionStatus.RETIRED
    with pytest.raises(RubricStateError, match="게시된 버전만 폐지할 수 있습니다"):
        rubric_version_retire(version=draft)


def test_delete_drafts_only(published, draft):
    rubric_version_delete(version=draft)
    assert not RubricVersion.objects.filter(pk=draft.pk).exists()
    with pytest.raises(RubricStateError, match="초안만 수정할 수 있습니다"):
        rubric_version_delete(version=published)
    assert RubricVersion.objects.filter(pk=published.pk).exists()


def test_seed_loads_the_published_seed_rubric_once(db):
    first = demo.seed()
    assert isinstance(first, RubricVersion)
    assert (first.rubric.code, first.version, first.status) == (
        "job-information-provider",
        "1",
        VersionStatus.PUBLISHED,
    )
    assert first.items.count() == 19
    assert demo.seed() == first
    assert RubricVersion.objects.count() == 1


# --- the freeze, from Django admin and from a form ------------------------------------------


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.invalid", "pw-1234!")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _admin_post(item: Item) -> dict:
    return {
        "version": item.version_id,
        "indicator": item.indicator_id,
        "code": item.code,
        "title": "관리 화면에서 바꾼 제목",
        "points": "99",
        "order": item.order,
        "method": item.method,
        "params": '{"scale": "five-level"}',
        "inherits_default": "on",
        "purpose": "[]",
        "evidence_hint": "",
    }


def test_django_admin_cannot_change_a_published_item(superuser_client, published):
    item = published.items.get(code="A.1.1")
    before = Item.objects.values().get(pk=item.pk)
    url = f"/django-admin/indicators/item/{item.pk}/change/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # shown read-only
    response = superuser_client.post(url, _admin_post(item))
    assert response.status_code == 403
    assert Item.objects.values().get(pk=item.pk) == before
    delete = superuser_client.post(
        f"/django-admin/indicators/item/{item.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()


def test_django_admin_cannot_add_an_item_to_a_published_version(superuser_client, published):
    """The add form offers only drafts' versions and indicators; posting a published one back
    is a form error on that field (200), never a 500 and never a new row."""
    indicator = published.indicators.first()
    count = Item.objects.count()
    page = superuser_client.get("/django-admin/indicators/item/add/")
    assert page.status_code == 200
    assert f'<option value="{indicator.pk}"' not in page.content.decode()
    data = _admin_post(published.items.get(code="A.1.1")) | {"code": "Z.9.9"}
    response = superuser_client.post("/django-admin/indicators/item/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"version", "indicator"} <= set(errors)
    assert Item.objects.count() == count


def test_django_admin_can_repair_a_draft_item(superuser_client, draft):
    item = draft.items.get(code="A.1.1")
    response = superuser_client.post(
        f"/django-admin/indicators/item/{item.pk}/change/", _admin_post(item)
    )
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).title == "관리 화면에서 바꾼 제목"


class _ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["title", "points"]


def test_a_model_form_cannot_save_a_published_item(published):
    item = published.items.get(code="A.1.1")
    before = Item.objects.values().get(pk=item.pk)
    form = _ItemForm({"title": "바뀜", "points": "1"}, instance=item)
    assert form.is_valid()
    with pytest.raises(FrozenRubricError, match="변경할 수 없습니다"):
        form.save()
    assert Item.objects.values().get(pk=item.pk) == before


def test_a_model_form_cannot_move_an_item_out_of_a_published_version(published, draft):
    item = published.items.get(code="A.1.1")
    item.version = draft
    item.indicator = draft.indicators.first()
    with pytest.raises(FrozenRubricError):
        item.save()
    assert Item.objects.get(pk=item.pk).version_id == published.pk


def test_imported_published_version_is_frozen_too(db):
    version = rubric_import(document_text=PENALTY_RUBRIC.read_bytes(), publish=True)
    with pytest.raises(FrozenRubricError):
        version.areas.filter(code="P").update(points=D(-10))
    version.title = "x"
    with pytest.raises(FrozenRubricError):
        version.save()
    version.refresh_from_db()
    version.status, version.retired_at = VersionStatus.RETIRED, timezone.now()
    version.save()  # retirement is the one change a published version accepts
