"""The NodeKind table (indicators.kinds) agrees with the models, the document and the URLs it
stands for, so add/remove/move written once from it reach the right rows."""

from decimal import Decimal as D

import pytest
from django.urls import NoReverseMatch, reverse

from indicators import services
from indicators.kinds import AREA, INDICATOR, ITEM, KINDS, kind_of
from indicators.models import Area, Indicator, Item, RubricVersion
from indicators.queries import rubric_document
from indicators.services import rubric_import


def test_each_kind_names_its_model_its_parent_field_and_the_list_that_holds_it():
    assert [(k.name, k.model) for k in KINDS.values()] == [
        ("area", Area),
        ("indicator", Indicator),
        ("item", Item),
    ]
    assert [k.parent_kind for k in KINDS.values()] == [None, AREA, INDICATOR]
    assert [k.child_kind for k in KINDS.values()] == [INDICATOR, ITEM, None]
    for kind in KINDS.values():
        parent_model = RubricVersion if kind.parent_kind is None else kind.parent_kind.model
        field = kind.model._meta.get_field(kind.parent)
        assert field.related_model is parent_model
        assert field.remote_field.related_name == kind.plural


def test_each_kind_allows_exactly_the_keys_that_export_writes(db, seed_doc, penalty_doc):
    written = {name: set() for name in KINDS}
    for doc in (seed_doc, penalty_doc):
        exported = rubric_document(RubricVersion.objects.get(pk=rubric_import(data=doc).pk))
        for area in exported["areas"]:
            written["area"] |= set(area)
            for indicator in area["indicators"]:
                written["indicator"] |= set(indicator)
                for item in indicator["items"]:
                    written["item"] |= set(item)
    for name, kind in KINDS.items():
        required, optional = kind.keys
        assert set(required) <= written[name], name
        assert written[name] <= set(required) | set(optional), name


def test_kind_of_a_stored_node_and_of_anything_else(db, seed_doc):
    version = rubric_import(data=seed_doc)
    assert kind_of(Area.objects.filter(version=version).first()) is AREA
    assert kind_of(Item.objects.filter(version=version).first()) is ITEM
    with pytest.raises(TypeError):
        kind_of(version)


def test_only_an_item_takes_a_scoring_when_it_is_added(db, seed_doc):
    version = rubric_import(data=seed_doc)
    with pytest.raises(TypeError):
        services.node_add(
            kind="area",
            parent=version,
            code="Z",
            title="z",
            points=D(0),
            scoring={"method": "points"},
        )
    assert not Area.objects.filter(version=version, code="Z").exists()


def test_the_editor_urls_accept_every_kind_and_no_other():
    for name in KINDS:
        url = reverse("indicators:node_remove", args=[1, name, 2])
        assert url.endswith(f"/1/edit/{name}/2/remove/")
    with pytest.raises(NoReverseMatch):
        reverse("indicators:node_remove", args=[1, "checkpoint", 2])
