"""The rubric tree's node kinds (area → indicator → item), written once.

One ``NodeKind`` per level holds what the editor, the services and the validation need to know
about it: its document keys and where its children go, its model and the field that points at
its parent, the code pattern, the hook that reads its own keys, the problem when it has no
children, and the messages the editor shows when one is added, saved or removed (msgids; the
validation's messages that name two kinds are whole sentences per kind, in ``validation`` and
``rubric_format``, so that a translation never assembles the kinds' words). Add, remove and move are written once against this table
(``services.editor``), the editor's URLs and views take the kind as a parameter, and the
validation walks every level with one method.

Pure Python like ``validation``: nothing here imports Django at import time (``model`` looks the
model up when it is asked for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages``; the view translates it when it shows it."""
    return message


NODE_CODE_RE = re.compile(r"^\w[\w.\-]*$")
NODE_CODE_HINT = " — 글자, 숫자, '.', '-', '_' 만 씁니다"


@dataclass(frozen=True)
class NodeKind:
    name: str  # the editor's URL segment and the refusal anchor: "area"
    plural: str  # the document key of the list that holds nodes of this kind, the related name
    model_name: str  # the model in ``indicators.models``
    parent: str  # the model's field naming the parent: the version, an area, an indicator
    keys: tuple[tuple[str, ...], tuple[str, ...]]  # document keys: (required, optional)
    child: str | None  # the kind of the children, None for a leaf
    no_children: str  # the (draft-ok) problem when the list of children is empty (a msgid)
    own_keys: str  # the validation walker's method that reads this kind's own keys
    added: str  # the editor's message after an add (a msgid)
    saved: str  # ... after an update (a msgid; the particle goes with the kind's word)
    removed: str  # ... after a removal (a msgid)

    @property
    def child_kind(self) -> NodeKind | None:
        return KINDS[self.child] if self.child else None

    @property
    def parent_kind(self) -> NodeKind | None:
        """The kind of the parent node, None when the parent is the version itself."""
        return next((k for k in KINDS.values() if k.child == self.name), None)

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model("indicators", self.model_name)


AREA = NodeKind(
    name="area",
    plural="areas",
    model_name="Area",
    parent="version",
    keys=(("code", "title", "points", "indicators"), ("substitution",)),
    child="indicator",
    no_children=gettext_noop("평가지표가 없습니다"),
    own_keys="area_keys",
    added=gettext_noop("%(code)s 영역을 추가했습니다."),
    saved=gettext_noop("%(code)s 영역을 저장했습니다."),
    removed=gettext_noop("%(code)s 영역을 삭제했습니다."),
)
INDICATOR = NodeKind(
    name="indicator",
    plural="indicators",
    model_name="Indicator",
    parent="area",
    keys=(("code", "title", "points", "items"), ()),
    child="item",
    no_children=gettext_noop("평가항목이 없습니다"),
    own_keys="",
    added=gettext_noop("%(code)s 지표를 추가했습니다."),
    saved=gettext_noop("%(code)s 지표를 저장했습니다."),
    removed=gettext_noop("%(code)s 지표를 삭제했습니다."),
)
ITEM = NodeKind(
    name="item",
    plural="items",
    model_name="Item",
    parent="indicator",
    keys=(("code", "title", "points"), ("scoring", "purpose", "checkpoints", "evidence_hint")),
    child=None,
    no_children="",
    own_keys="item_keys",
    added=gettext_noop("%(code)s 항목을 추가했습니다."),
    saved=gettext_noop("%(code)s 항목을 저장했습니다."),
    removed=gettext_noop("%(code)s 항목을 삭제했습니다."),
)

KINDS: dict[str, NodeKind] = {kind.name: kind for kind in (AREA, INDICATOR, ITEM)}


def kind_of(node: object) -> NodeKind:
    """The kind of a stored node (an ``Area``, ``Indicator`` or ``Item``)."""
    name = type(node).__name__
    for kind in KINDS.values():
        if kind.model_name == name:
            return kind
    raise TypeError(f"not a rubric tree node: {name}")
