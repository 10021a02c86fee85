"""The interchange format's vocabulary (docs/rubric-format.md): its name, methods, limits and
keys; a ``Problem`` and the ``RubricInvalid`` that carries them; numbers as people write them,
and ``subtotal``, the one definition of "the sum of the children". Pure Python, like
``validation`` (the keys of the tree's nodes are in ``kinds``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .kinds import (
    NODE_CODE_RE,  # noqa: F401  (the forms and the walker read it from here)
    gettext_noop,
)
from .messages import _

FORMAT = "certeval.rubric/1"
METHODS = ("grade", "points", "bands", "penalty")
ROUNDING_MODES = ("half_up", "half_even", "down", "up")
DEFAULT_ROUNDING = {"places": 2, "mode": "half_up"}
MAX_ROUNDING_PLACES = 6

# The database stores points as DecimalField(max_digits=10, decimal_places=3) and ratios as
# DecimalField(max_digits=5, decimal_places=4); a document that fits these never fails to save.
POINTS_PLACES = 3
POINTS_LIMIT = Decimal(10) ** 7
RATIO_PLACES = 4
MEASURE_PLACES = 6

MAX_RUBRIC_CODE = 100
MAX_VERSION = 50
MAX_TITLE = 300
MAX_NODE_CODE = 30
MAX_SCALE_NAME = 100
MAX_SCALE_TITLE = 200
MAX_LEVEL_CODE = 20
MAX_LEVEL_TITLE = 100
MAX_UNIT = 50
MAX_CERTIFICATE = 50
MAX_TEXT = 5000

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")

DOCUMENT_KEYS = (
    ("format", "code", "title", "version", "total_points", "areas"),
    ("programme", "grade_scales", "defaults", "rounding"),
)
CHECKPOINT_KEYS = (("text",), ("details",))
SCALE_KEYS = (("title", "levels"), ())
LEVEL_KEYS = (("code", "title", "ratio"), ())
SUBSTITUTION_KEYS = (("certificates", "award_ratio"), ("note",))
ROUNDING_KEYS = ((), ("places", "mode"))
DEFAULTS_KEYS = ((), ("scoring",))
BAND_KEYS = (("min", "points"), ())
# method -> (required parameters, optional parameters), in the order export writes them.
SCORING_KEYS = {
    "grade": (("scale",), ()),
    "points": ((), ("step",)),
    "bands": (("bands",), ("unit", "min", "max")),
    "penalty": (("per_case",), ()),
}

# Where a problem of the whole document is: a msgid, translated when a problem is recorded.
ROOT = gettext_noop("문서")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rubric document.

    ``where`` is what the user reads first: a node code (``B.3``) or a key path. ``code`` is the
    area/indicator/item the problem belongs to, so the editor can show it on that node.
    ``draft_ok`` marks a completeness problem (a sum that does not match yet, an empty list) that
    a draft may have while it is being edited; every problem blocks import and publication.
    """

    where: str
    message: str
    code: str | None = None
    draft_ok: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RubricInvalid(Exception):
    """A rubric document (or a draft) was refused; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def fmt(value: Decimal | int) -> str:
    """A number as people write it: ``235`` not ``235.000``, ``0.5`` not ``5E-1``."""
    value = Decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def counts_toward(child: Decimal, parent: Decimal) -> bool:
    """Whether a child's points enter its parent's sum: penalties only under a penalty."""
    return (child < 0) == (parent < 0)


def subtotal(children: Iterable[Decimal], parent: Decimal) -> Decimal:
    """The exact sum of the children that count toward ``parent`` (see ``counts_toward``)."""
    return sum((c for c in children if counts_toward(c, parent)), Decimal(0))


# The children's sum against the parent's points, per parent kind (a whole sentence per pair, so
# that a translation need not assemble the kinds' words).
_SUM_MISMATCH = {
    "area": gettext_noop("지표 배점 합계 %(total)s ≠ 영역 배점 %(points)s"),
    "indicator": gettext_noop("항목 배점 합계 %(total)s ≠ 지표 배점 %(points)s"),
}


def sum_mismatch_message(parent_kind: str, total: Decimal, points: Decimal) -> str:
    """The problem when the children of a ``parent_kind`` node do not add up to its points."""
    return _(_SUM_MISMATCH[parent_kind]) % {"total": fmt(total), "points": fmt(points)}
