"""A published rubric version can never change, by any ORM path."""

import pytest
from django.utils import timezone

from indicators.models import (
    Area,
    Checkpoint,
    FrozenRubricError,
    GradeLevel,
    Item,
    RubricVersion,
    VersionStatus,
)

from ..factories import build_rubric


@pytest.fixture
def published(db):
    return build_rubric(published=True)


@pytest.fixture
def draft(db):
    return build_rubric(published=False, version="draft")


def test_draft_children_can_change(draft):
    item = draft.items.first()
    item.title = "바뀐 제목"
    item.save()
    assert Item.objects.get(pk=item.pk).title == "바뀐 제목"
    assert Area.objects.filter(version=draft).update(title="x") == 5


@pytest.mark.parametrize(
    "write",
    [
        lambda rv: setattr(rv, "title", "x") or rv.save(),
        lambda rv: rv.delete(),
        lambda rv: RubricVersion.objects.filter(pk=rv.pk).update(total_points=1),
        lambda rv: RubricVersion.objects.filter(pk=rv.pk).delete(),
        lambda rv: RubricVersion.objects.filter(pk=rv.pk).update(status=VersionStatus.DRAFT),
    ],
    ids=["version.save", "version.delete", "qs.update", "qs.delete", "back-to-draft"],
)
def test_published_version_refuses_writes(published, write):
    before = RubricVersion.objects.values().get(pk=published.pk)
    with pytest.raises(FrozenRubricError, match="변경할 수 없습니다"):
        write(published)
    assert RubricVersion.objects.values().get(pk=published.pk) == before


@pytest.mark.parametrize(
    "write",
    [
        lambda rv: (lambda i: setattr(i, "points", 99) or i.save())(rv.items.first()),
        lambda rv: rv.items.first().delete(),
        lambda rv: Item.objects.filter(version=rv).update(points=1),
        lambda rv: Item.objects.filter(version=rv).delete(),
        lambda rv: Area.objects.filter(version=rv).update(title="x"),
        lambda rv: Checkpoint.objects.filter(item__version=rv).update(text="x"),
        lambda rv: Checkpoint.objects.create(item=rv.items.first(), order=9, text="new"),
        lambda rv: GradeLevel.objects.filter(scale__version=rv).update(ratio=0),
        lambda rv: Item.objects.bulk_update(list(rv.items.all()), ["title"]),
        lambda rv: Area.objects.bulk_create(
            [Area(version=rv, code="Z", title="z", points=0, order=99)]
        ),
    ],
    ids=[
        "item.save",
        "item.delete",
        "items.update",
        "items.delete",
        "areas.update",
        "checkpoints.update",
        "checkpoint.create",
        "levels.update",
        "items.bulk_update",
        "areas.bulk_create",
    ],
)
def test_published_children_refuse_writes(published, write):
    items_before = list(Item.objects.filter(version=published).values())
    checkpoints_before = Checkpoint.objects.filter(item__version=published).count()
    with pytest.raises(FrozenRubricError):
        write(published)
    assert list(Item.objects.filter(version=published).values()) == items_before
    assert Checkpoint.objects.filter(item__version=published).count() == checkpoints_before
    assert not Area.objects.filter(version=published, code="Z").exists()


def test_retirement_is_the_one_change_a_published_version_accepts(published):
    published.status = VersionStatus.RETIRED
    published.retired_at = timezone.now()
    published.save()
    assert RubricVersion.objects.get(pk=published.pk).status == VersionStatus.RETIRED
    with pytest.raises(FrozenRubricError):
        RubricVersion.objects.filter(pk=published.pk).update(title="x")


def _published_tree(published):
    """What the published version shows: each item as its indicator reaches it."""
    return sorted(
        Item.objects.filter(indicator__version=published).values_list("pk", "code", "points")
    )


@pytest.mark.parametrize(
    "write",
    [
        # A draft's checkpoint moved under a published item.
        lambda pub, dr: Checkpoint.objects.filter(item__version=dr).update(item=pub.items.first()),
        # A draft's items moved into the published version.
        lambda pub, dr: Item.objects.filter(version=dr).update(
            version=pub, indicator=pub.indicators.first()
        ),
        # A new item that names the draft as its version but hangs under a published indicator.
        lambda pub, dr: Item.objects.create(
            version=dr, indicator=pub.indicators.first(), code="Z.9.9", title="z", points=1
        ),
        lambda pub, dr: Item.objects.bulk_create(
            [Item(version=dr, indicator=pub.indicators.first(), code="Z.9.9", title="z", points=1)]
        ),
        lambda pub, dr: Item.objects.bulk_update(
            [setattr(i, "indicator_id", pub.indicators.first().pk) or i for i in dr.items.all()],
            ["indicator"],
        ),
        lambda pub, dr: (lambda i: setattr(i, "indicator", pub.indicators.first()) or i.save())(
            dr.items.first()
        ),
    ],
    ids=[
        "checkpoints.update(item=published)",
        "items.update(version=published)",
        "item.create(under published indicator)",
        "items.bulk_create(under published indicator)",
        "items.bulk_update(indicator=published)",
        "item.save(indicator=published)",
    ],
)
def test_draft_rows_cannot_be_attached_to_a_published_tree(published, draft, write):
    tree = _published_tree(published)
    checkpoints = Checkpoint.objects.filter(item__version=published).count()
    with pytest.raises(FrozenRubricError):
        write(published, draft)
    assert _published_tree(published) == tree
    assert Checkpoint.objects.filter(item__version=published).count() == checkpoints
