"""Validation of a rubric document in the interchange format ``certeval.rubric/1``.

Pure Python: this module imports nothing from Django (a test checks), so the same rules serve
``manage.py import_rubric``, the upload form, the rubric editor and publication.

``validate(document)`` walks the whole document once and returns EVERY problem it finds, each
naming where it is (a node code such as ``B.3``, or a key path such as
``areas[1].indicators[0].items[2].points``) and the numbers involved. Sums are exact
``Decimal`` sums; no float is ever involved.

Penalties (rule 2 of docs/rubric-format.md): a negative number of points marks a penalty. A
negative item must use the ``penalty`` method; an indicator (or area) with negative points
holds only penalties, and its own sum is the sum of those penalties. Penalties are left out of
every positive sum: ``subtotal()`` is the one definition of "the sum of the children".

The format's constants, ``Problem`` and ``subtotal`` live in ``rubric_format`` and the typed
readers in ``reader``; this module re-exports them, so ``from indicators.validation import X``
works for each of them. The tree's levels are walked by one method over ``kinds.KINDS``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .kinds import AREA, NodeKind, gettext_noop
from .messages import _
from .reader import _INVALID, _MISSING, Node, _join, _show
from .rubric_format import (
    CHECKPOINT_KEYS,
    DOCUMENT_KEYS,
    FORMAT,
    MAX_CERTIFICATE,
    MAX_NODE_CODE,
    MAX_RUBRIC_CODE,
    MAX_TEXT,
    MAX_TITLE,
    MAX_VERSION,
    NODE_CODE_RE,
    POINTS_PLACES,
    RATIO_PLACES,
    SLUG_RE,
    SUBSTITUTION_KEYS,
    Problem,
    fmt,
    subtotal,
    sum_mismatch_message,
)

# Re-exported: the forms, services, queries, interchange and tests read these from here.
from .rubric_format import DEFAULT_ROUNDING as DEFAULT_ROUNDING
from .rubric_format import MAX_UNIT as MAX_UNIT
from .rubric_format import ROOT as ROOT
from .rubric_format import RubricInvalid as RubricInvalid
from .scoring_rules import ScoringReader


def validate(document: object) -> list[Problem]:
    """Every problem of ``document`` (the parsed YAML/JSON), in document order."""
    walker = _Walker()
    walker.document(document)
    return walker.problems


# A node with negative points holds only penalties, per kind (a whole sentence per kind, so that a
# translation need not assemble the kinds' words); msgids, translated when a problem is recorded.
_PENALTIES_ONLY = {
    "area": gettext_noop(
        "배점이 음수(%(points)s)인 영역에는 감점 지표만 둘 수 있습니다 "
        "(%(child)s 배점 %(child_points)s)"
    ),
    "indicator": gettext_noop(
        "배점이 음수(%(points)s)인 지표에는 감점 항목만 둘 수 있습니다 "
        "(%(child)s 배점 %(child_points)s)"
    ),
}


# --- the walk ---------------------------------------------------------------------------------


class _Walker(ScoringReader):
    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[str, list[str]] = defaultdict(list)

    # -- document ---------------------------------------------------------------------------

    def document(self, value) -> None:
        doc = self.mapping(value, "", DOCUMENT_KEYS)
        if doc is None:
            return
        get = doc.get
        if "format" in doc and get("format") != FORMAT:
            self.add(
                "format",
                _(
                    "지원하지 않는 형식입니다 (받은 값: %(value)s). "
                    "지원하는 형식은 %(format)s 하나입니다"
                )
                % {"value": _show(get("format")), "format": FORMAT},
            )
        self.string(
            get("code", _MISSING),
            "code",
            max_length=MAX_RUBRIC_CODE,
            pattern=SLUG_RE,
            hint=_("영문, 숫자, -, _ 만 씁니다"),
        )
        self.string(get("title", _MISSING), "title", max_length=MAX_TITLE)
        if "programme" in doc:
            self.string(get("programme"), "programme", max_length=MAX_TITLE)
        self.string(
            get("version", _MISSING),
            "version",
            max_length=MAX_VERSION,
            hint=_('따옴표로 감싸십시오 (예: "1")'),
        )
        total = self.number(
            get("total_points", _MISSING), "total_points", places=POINTS_PLACES, sign="positive"
        )
        self.grade_scales(get("grade_scales", _MISSING))
        self.defaults(get("defaults", _MISSING))
        self.rounding(get("rounding", _MISSING))

        areas = self.list(get("areas", _MISSING), "areas")
        if areas is None:
            return
        if not areas:
            self.add("areas", _("영역이 하나도 없습니다"), draft_ok=True)
        nodes = [self.node(AREA, area, f"areas[{i}]") for i, area in enumerate(areas)]
        self.duplicate_codes()
        if total is not None and all(n.points is not None for n in nodes):
            counted = subtotal((n.points for n in nodes), Decimal(1))
            if counted != total:
                self.add(
                    "total_points",
                    _("영역 배점 합계 %(sum)s ≠ 총점 %(total)s")
                    % {"sum": fmt(counted), "total": fmt(total)},
                    draft_ok=True,
                )

    def duplicate_codes(self) -> None:
        for code, paths in self.codes.items():
            if len(paths) > 1:
                message = _("코드가 중복됩니다 (%(paths)s)") % {"paths": ", ".join(paths)}
                self.add(code, message, code=code)

    def node_code(self, node: dict, path: str) -> str | None:
        code = self.string(
            node.get("code", _MISSING),
            _join(path, "code"),
            max_length=MAX_NODE_CODE,
            pattern=NODE_CODE_RE,
            hint=_("글자, 숫자, '.', '-', '_' 만 씁니다"),
        )
        if code is not None:
            self.codes[code].append(path)
        return code

    # -- tree -------------------------------------------------------------------------------

    def node(self, kind: NodeKind, value, path) -> Node:
        """An area, indicator or item: its code, title and points, its own keys (the kind's
        ``own_keys`` hook), then its children, whose points must add up to its own."""
        body = self.mapping(value, path, kind.keys)
        if body is None:
            return Node(None, path, None)
        code = self.node_code(body, path)
        self.string(body.get("title", _MISSING), f"{path}.title", max_length=MAX_TITLE, code=code)
        points = self.number(
            body.get("points", _MISSING), f"{path}.points", places=POINTS_PLACES, code=code
        )
        node = Node(code, path, points)
        if kind.own_keys:
            getattr(self, kind.own_keys)(body, node, path)
        child = kind.child_kind
        if child is None:
            return node
        listed = self.list(body.get(child.plural, _MISSING), f"{path}.{child.plural}", code=code)
        if listed is None:
            return node
        if not listed:
            self.add(node.where, _(kind.no_children), code=code, draft_ok=True)
        children = [
            self.node(child, value, f"{path}.{child.plural}[{i}]") for i, value in enumerate(listed)
        ]
        self.check_children(kind, node, children)
        return node

    def area_keys(self, body: dict, node: Node, path: str) -> None:
        if "substitution" in body:
            self.substitution(body["substitution"], f"{path}.substitution", code=node.code)

    def item_keys(self, body: dict, node: Node, path: str) -> None:
        code = node.code
        if "purpose" in body:
            self.strings(body["purpose"], f"{path}.purpose", code=code)
        if "checkpoints" in body:
            self.checkpoints(body["checkpoints"], f"{path}.checkpoints", code=code)
        if "evidence_hint" in body:
            self.string(
                body["evidence_hint"],
                f"{path}.evidence_hint",
                max_length=MAX_TEXT,
                code=code,
                allow_empty=True,
            )
        if "scoring" in body:
            scoring = self.scoring(body["scoring"], f"{path}.scoring", code=code)
            if scoring is not None:
                self.check_item_scoring(node, scoring, own=True)
        elif self.default is _MISSING:
            self.add(
                f"{path}.scoring",
                _("채점 방식이 없습니다 (defaults.scoring도 없습니다)"),
                code=code,
            )
        elif self.default is not _INVALID:
            self.check_item_scoring(node, self.default, own=False)

    def check_children(self, kind: NodeKind, node: Node, children: list[Node]):
        if node.points is None:
            return
        if node.points < 0:
            for child in children:
                if child.points is not None and child.points >= 0:
                    self.add(
                        node.where,
                        _(_PENALTIES_ONLY[kind.name])
                        % {
                            "points": fmt(node.points),
                            "child": child.where,
                            "child_points": fmt(child.points),
                        },
                        code=node.code,
                    )
        if all(child.points is not None for child in children):
            total = subtotal((child.points for child in children), node.points)
            if total != node.points:
                self.add(
                    node.where,
                    sum_mismatch_message(kind.name, total, node.points),
                    code=node.code,
                    draft_ok=True,
                )

    def checkpoints(self, value, path, *, code) -> None:
        checkpoints = self.list(value, path, code=code)
        if checkpoints is None:
            return
        for i, checkpoint in enumerate(checkpoints):
            cpath = f"{path}[{i}]"
            body = self.mapping(checkpoint, cpath, CHECKPOINT_KEYS, code=code)
            if body is None:
                continue
            self.string(body.get("text", _MISSING), f"{cpath}.text", max_length=MAX_TEXT, code=code)
            if "details" in body:
                self.strings(body["details"], f"{cpath}.details", code=code)

    def substitution(self, value, path, *, code) -> None:
        body = self.mapping(value, path, SUBSTITUTION_KEYS, code=code)
        if body is None:
            return
        certificates = self.strings(
            body.get("certificates", _MISSING),
            f"{path}.certificates",
            max_length=MAX_CERTIFICATE,
            code=code,
        )
        if certificates is not None and not certificates:
            message = _("인증 이름이 하나 이상 있어야 합니다")
            self.add(f"{path}.certificates", message, code=code)
        self.number(
            body.get("award_ratio", _MISSING),
            f"{path}.award_ratio",
            places=RATIO_PLACES,
            minimum=Decimal(0),
            maximum=Decimal(1),
            code=code,
        )
        if "note" in body:
            self.string(
                body["note"], f"{path}.note", max_length=MAX_TEXT, code=code, allow_empty=True
            )
