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
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

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
NODE_CODE_RE = re.compile(r"^\w[\w.\-]*$")

DOCUMENT_KEYS = (
    ("format", "code", "title", "version", "total_points", "areas"),
    ("grade_scales", "defaults", "rounding"),
)
AREA_KEYS = (("code", "title", "points", "indicators"), ("substitution",))
INDICATOR_KEYS = (("code", "title", "points", "items"), ())
ITEM_KEYS = (
    ("code", "title", "points"),
    ("scoring", "purpose", "checkpoints", "evidence_hint"),
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

ROOT = "문서"


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


def sum_mismatch_message(child_label: str, parent_label: str, total: Decimal, points: Decimal):
    return f"{child_label} 배점 합계 {fmt(total)} ≠ {parent_label} 배점 {fmt(points)}"


def validate(document: object) -> list[Problem]:
    """Every problem of ``document`` (the parsed YAML/JSON), in document order."""
    walker = _Walker()
    walker.document(document)
    return walker.problems


# --- the walk ---------------------------------------------------------------------------------

_MISSING = object()
_INVALID = object()


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _show(value: object) -> str:
    if value is None:
        return "없음(null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "키-값 매핑"
    if isinstance(value, list):
        return "목록"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"'{text}'"
    if isinstance(value, Decimal):
        return fmt(value) if value.is_finite() else str(value)
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


@dataclass
class _Node:
    code: str | None
    path: str
    points: Decimal | None

    @property
    def where(self) -> str:
        return self.code or self.path


class _Walker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.codes: dict[str, list[str]] = defaultdict(list)
        self.scales: set[str] | None = set()
        self.default: object = _MISSING

    def add(self, where: str, message: str, *, code: str | None = None, draft_ok: bool = False):
        self.problems.append(Problem(where or ROOT, message, code, draft_ok))

    # -- typed readers ---------------------------------------------------------------------

    def mapping(self, value, path, keys, *, code=None) -> dict | None:
        required, optional = keys
        if not isinstance(value, dict):
            self.add(path, f"키-값 매핑이어야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                names = ", ".join((*required, *optional))
                self.add(
                    _join(path, key), f"알 수 없는 키입니다 (쓸 수 있는 키: {names})", code=code
                )
        for key in required:
            if key not in value:
                self.add(_join(path, key), "필수 키가 없습니다", code=code)
        return value

    def list(self, value, path, *, code=None) -> list | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.add(path, f"목록이어야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        return value

    def string(
        self, value, path, *, max_length, code=None, pattern=None, hint="", allow_empty=False
    ) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(path, f"문자열이어야 합니다 (받은 값: {_show(value)}){hint}", code=code)
            return None
        if not value.strip() and not allow_empty:
            self.add(path, "비어 있으면 안 됩니다", code=code)
            return None
        if len(value) > max_length:
            self.add(path, f"{max_length}자 이하여야 합니다 (현재 {len(value)}자)", code=code)
            return None
        if pattern is not None and not pattern.match(value):
            self.add(path, f"쓸 수 없는 문자가 있습니다 ({_show(value)}){hint}", code=code)
            return None
        return value

    def strings(self, value, path, *, max_length=MAX_TEXT, code=None) -> list[str] | None:
        items = self.list(value, path, code=code)
        if items is None:
            return None
        ok = True
        for i, text in enumerate(items):
            ok &= self.string(text, f"{path}[{i}]", max_length=max_length, code=code) is not None
        return items if ok else None

    def number(
        self, value, path, *, places, code=None, minimum=None, maximum=None, sign=None
    ) -> Decimal | None:
        """A Decimal (YAML/JSON numbers are parsed as Decimal; floats are refused).

        ``sign`` is ``"positive"`` or ``"negative"`` for a strict bound at zero.
        """
        if value is _MISSING:
            return None
        if isinstance(value, float):
            self.add(path, "부동소수점(float) 값은 받지 않습니다. Decimal로 읽으십시오", code=code)
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.add(path, f"숫자여야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        number = Decimal(value)
        if not number.is_finite():
            self.add(path, f"유한한 숫자여야 합니다 (받은 값: {number})", code=code)
            return None
        if number != 0 and number.normalize().as_tuple().exponent < -places:
            self.add(
                path,
                f"소수점 아래 {places}자리까지만 쓸 수 있습니다 (받은 값: {fmt(number)})",
                code=code,
            )
            return None
        if abs(number) >= POINTS_LIMIT:
            self.add(path, f"너무 큰 수입니다 (받은 값: {fmt(number)})", code=code)
            return None
        if sign == "positive" and number <= 0:
            self.add(path, f"0보다 커야 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        if sign == "negative" and number >= 0:
            self.add(path, f"0보다 작아야 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        too_low = minimum is not None and number < minimum
        too_high = maximum is not None and number > maximum
        if too_low or too_high:
            if minimum is not None and maximum is not None:
                bound = f"{fmt(minimum)} 이상 {fmt(maximum)} 이하여야"
            elif minimum is not None:
                bound = f"{fmt(minimum)} 이상이어야"
            else:
                bound = f"{fmt(maximum)} 이하여야"
            self.add(path, f"{bound} 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        return number

    # -- document ---------------------------------------------------------------------------

    def document(self, value) -> None:
        doc = self.mapping(value, "", DOCUMENT_KEYS)
        if doc is None:
            return
        get = doc.get
        if "format" in doc and get("format") != FORMAT:
            self.add(
                "format",
                f"지원하지 않는 형식입니다 (받은 값: {_show(get('format'))}). "
                f"지원하는 형식은 {FORMAT} 하나입니다",
            )
        self.string(
            get("code", _MISSING),
            "code",
            max_length=MAX_RUBRIC_CODE,
            pattern=SLUG_RE,
            hint=" — 영문, 숫자, -, _ 만 씁니다",
        )
        self.string(get("title", _MISSING), "title", max_length=MAX_TITLE)
        self.string(
            get("version", _MISSING),
            "version",
            max_length=MAX_VERSION,
            hint=' — 따옴표로 감싸십시오 (예: "1")',
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
            self.add("areas", "영역이 하나도 없습니다", draft_ok=True)
        nodes = [self.area(area, f"areas[{i}]") for i, area in enumerate(areas)]
        self.duplicate_codes()
        if total is not None and all(n.points is not None for n in nodes):
            counted = subtotal((n.points for n in nodes), Decimal(1))
            if counted != total:
                self.add(
                    "total_points",
                    f"영역 배점 합계 {fmt(counted)} ≠ 총점 {fmt(total)}",
                    draft_ok=True,
                )

    def duplicate_codes(self) -> None:
        for code, paths in self.codes.items():
            if len(paths) > 1:
                self.add(code, f"코드가 중복됩니다 ({', '.join(paths)})", code=code)

    def node_code(self, node: dict, path: str) -> str | None:
        code = self.string(
            node.get("code", _MISSING),
            _join(path, "code"),
            max_length=MAX_NODE_CODE,
            pattern=NODE_CODE_RE,
            hint=" — 글자, 숫자, '.', '-', '_' 만 씁니다",
        )
        if code is not None:
            self.codes[code].append(path)
        return code

    # -- grade scales, defaults, rounding ---------------------------------------------------

    def grade_scales(self, value) -> None:
        if value is _MISSING:
            return
        if not isinstance(value, dict):
            self.add("grade_scales", f"키-값 매핑이어야 합니다 (받은 값: {_show(value)})")
            self.scales = None
            return
        for name, scale in value.items():
            path = f"grade_scales.{name}"
            if not isinstance(name, str) or not SLUG_RE.match(name) or len(name) > MAX_SCALE_NAME:
                self.add(path, "척도 이름은 영문, 숫자, -, _ 로 100자 이내여야 합니다")
                continue
            self.scales.add(name)
            body = self.mapping(scale, path, SCALE_KEYS)
            if body is None:
                continue
            self.string(body.get("title", _MISSING), f"{path}.title", max_length=MAX_SCALE_TITLE)
            levels = self.list(body.get("levels", _MISSING), f"{path}.levels")
            if levels is None:
                continue
            if len(levels) < 2:
                self.add(f"{path}.levels", f"등급이 2개 이상이어야 합니다 (현재 {len(levels)}개)")
            seen: dict[str, int] = {}
            for i, level in enumerate(levels):
                lpath = f"{path}.levels[{i}]"
                body = self.mapping(level, lpath, LEVEL_KEYS)
                if body is None:
                    continue
                code = self.string(
                    body.get("code", _MISSING), f"{lpath}.code", max_length=MAX_LEVEL_CODE
                )
                self.string(
                    body.get("title", _MISSING), f"{lpath}.title", max_length=MAX_LEVEL_TITLE
                )
                self.number(
                    body.get("ratio", _MISSING),
                    f"{lpath}.ratio",
                    places=RATIO_PLACES,
                    minimum=Decimal(0),
                    maximum=Decimal(1),
                )
                if code is not None:
                    if code in seen:
                        self.add(
                            path,
                            f"등급 코드 '{code}'이(가) 중복됩니다 "
                            f"(levels[{seen[code]}], levels[{i}])",
                        )
                    seen.setdefault(code, i)

    def defaults(self, value) -> None:
        if value is _MISSING:
            return
        body = self.mapping(value, "defaults", DEFAULTS_KEYS)
        self.default = _INVALID
        if body is None:
            return
        if "scoring" not in body:
            self.default = _MISSING
            return
        scoring = self.scoring(body["scoring"], "defaults.scoring", code=None)
        if scoring is None:
            return
        self.default = scoring
        if scoring["method"] == "grade":
            self.check_scale(scoring, "defaults.scoring.scale", code=None)
        if scoring["method"] == "bands":
            self.check_band_mins(scoring, "defaults.scoring", code=None)

    def rounding(self, value) -> None:
        if value is _MISSING:
            return
        body = self.mapping(value, "rounding", ROUNDING_KEYS)
        if body is None:
            return
        if "places" in body:
            places = body["places"]
            if (
                isinstance(places, bool)
                or not isinstance(places, int | Decimal)
                or places != int(places)
                or not 0 <= places <= MAX_ROUNDING_PLACES
            ):
                self.add(
                    "rounding.places",
                    f"0부터 {MAX_ROUNDING_PLACES}까지의 정수여야 합니다 (받은 값: {_show(places)})",
                )
        if "mode" in body and body["mode"] not in ROUNDING_MODES:
            self.add(
                "rounding.mode",
                f"알 수 없는 반올림 방식입니다 (받은 값: {_show(body['mode'])}). "
                f"쓸 수 있는 방식: {', '.join(ROUNDING_MODES)}",
            )

    # -- scoring -----------------------------------------------------------------------------

    def scoring(self, value, path, *, code) -> dict | None:
        """The scoring mapping with its numbers as Decimals, or None when it is malformed."""
        if not isinstance(value, dict):
            self.add(path, f"키-값 매핑이어야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        if "method" not in value:
            self.add(f"{path}.method", "필수 키가 없습니다", code=code)
            return None
        method = value["method"]
        if method not in METHODS:
            self.add(
                f"{path}.method",
                f"알 수 없는 채점 방식입니다 (받은 값: {_show(method)}). "
                f"쓸 수 있는 방식: {', '.join(METHODS)}",
                code=code,
            )
            return None
        required, optional = SCORING_KEYS[method]
        before = len(self.problems)
        self.mapping(value, path, (("method", *required), optional), code=code)
        result: dict = {"method": method}
        get = value.get
        if method == "grade":
            result["scale"] = self.string(
                get("scale", _MISSING), f"{path}.scale", max_length=MAX_SCALE_NAME, code=code
            )
        elif method == "points":
            if "step" in value:
                result["step"] = self.number(
                    value["step"], f"{path}.step", places=POINTS_PLACES, sign="positive", code=code
                )
        elif method == "penalty":
            result["per_case"] = self.number(
                get("per_case", _MISSING),
                f"{path}.per_case",
                places=POINTS_PLACES,
                sign="negative",
                code=code,
            )
        else:
            if "unit" in value:
                result["unit"] = self.string(
                    value["unit"], f"{path}.unit", max_length=MAX_UNIT, code=code
                )
            result["bands"] = self.bands(get("bands", _MISSING), f"{path}.bands", code=code)
            # The plausible range of the measured value (optional; evaluation/numbers.py).
            for key in ("min", "max"):
                if key in value:
                    result[key] = self.number(
                        value[key], f"{path}.{key}", places=MEASURE_PLACES, code=code
                    )
            low, high = result.get("min"), result.get("max")
            if low is not None and high is not None and low >= high:
                self.add(
                    f"{path}.max",
                    f"max {fmt(high)}은(는) min {fmt(low)}보다 커야 합니다",
                    code=code,
                )
        if len(self.problems) > before:
            return None
        return result

    def bands(self, value, path, *, code) -> list | None:
        bands = self.list(value, path, code=code)
        if bands is None:
            return None
        if not bands:
            self.add(path, "구간이 하나 이상 있어야 합니다", code=code)
            return None
        result = []
        for i, band in enumerate(bands):
            bpath = f"{path}[{i}]"
            body = self.mapping(band, bpath, BAND_KEYS, code=code)
            if body is None:
                continue
            low = self.number(
                body.get("min", _MISSING), f"{bpath}.min", places=MEASURE_PLACES, code=code
            )
            points = self.number(
                body.get("points", _MISSING),
                f"{bpath}.points",
                places=POINTS_PLACES,
                minimum=Decimal(0),
                code=code,
            )
            result.append({"min": low, "points": points})
        return result

    def check_scale(self, scoring, where, *, code) -> None:
        if self.scales is None or scoring["scale"] in self.scales:
            return
        known = ", ".join(sorted(self.scales)) or "없음"
        self.add(
            where,
            f"등급 척도 '{scoring['scale']}'이(가) 없습니다 (정의된 척도: {known})",
            code=code,
        )

    def check_band_mins(self, scoring, where, *, code) -> None:
        seen: dict[Decimal, int] = {}
        for i, band in enumerate(scoring["bands"]):
            low = band["min"]
            if low in seen:
                self.add(
                    where,
                    f"구간 하한(min {fmt(low)})이 중복됩니다 (bands[{seen[low]}], bands[{i}])",
                    code=code,
                )
            seen.setdefault(low, i)

    def check_item_scoring(self, node: _Node, scoring: dict, *, own: bool) -> None:
        method, points, where, code = scoring["method"], node.points, node.where, node.code
        if own and method == "grade":
            self.check_scale(scoring, where, code=code)
        if own and method == "bands":
            self.check_band_mins(scoring, where, code=code)
        if points is None:
            return
        if points < 0 and method != "penalty":
            self.add(
                where,
                f"배점이 음수({fmt(points)})인 항목은 감점(penalty) 방식이어야 합니다 "
                f"(현재: {method})",
                code=code,
            )
        if method == "penalty" and points >= 0:
            self.add(
                where,
                f"감점(penalty) 항목의 배점은 음수여야 합니다 (현재: {fmt(points)})",
                code=code,
            )
        if method == "points" and scoring.get("step") and points >= 0:
            step = scoring["step"]
            if points % step != 0:
                self.add(
                    where,
                    f"항목 배점({fmt(points)})이 단위 점수(step {fmt(step)})의 배수가 아닙니다",
                    code=code,
                )
        if method == "bands":
            for i, band in enumerate(scoring["bands"]):
                if band["points"] > points:
                    self.add(
                        where,
                        f"구간 배점({fmt(band['points'])})이 항목 배점({fmt(points)})보다 "
                        f"큽니다 (bands[{i}])",
                        code=code,
                    )

    # -- tree -------------------------------------------------------------------------------

    def area(self, value, path) -> _Node:
        body = self.mapping(value, path, AREA_KEYS)
        if body is None:
            return _Node(None, path, None)
        code = self.node_code(body, path)
        self.string(body.get("title", _MISSING), f"{path}.title", max_length=MAX_TITLE, code=code)
        points = self.number(
            body.get("points", _MISSING), f"{path}.points", places=POINTS_PLACES, code=code
        )
        node = _Node(code, path, points)
        if "substitution" in body:
            self.substitution(body["substitution"], f"{path}.substitution", code=code)
        indicators = self.list(body.get("indicators", _MISSING), f"{path}.indicators", code=code)
        if indicators is None:
            return node
        if not indicators:
            self.add(node.where, "평가지표가 없습니다", code=code, draft_ok=True)
        children = [
            self.indicator(ind, f"{path}.indicators[{i}]") for i, ind in enumerate(indicators)
        ]
        self.check_children(node, children, "영역", "지표")
        return node

    def indicator(self, value, path) -> _Node:
        body = self.mapping(value, path, INDICATOR_KEYS)
        if body is None:
            return _Node(None, path, None)
        code = self.node_code(body, path)
        self.string(body.get("title", _MISSING), f"{path}.title", max_length=MAX_TITLE, code=code)
        points = self.number(
            body.get("points", _MISSING), f"{path}.points", places=POINTS_PLACES, code=code
        )
        node = _Node(code, path, points)
        items = self.list(body.get("items", _MISSING), f"{path}.items", code=code)
        if items is None:
            return node
        if not items:
            self.add(node.where, "평가항목이 없습니다", code=code, draft_ok=True)
        children = [self.item(item, f"{path}.items[{i}]") for i, item in enumerate(items)]
        self.check_children(node, children, "지표", "항목")
        return node

    def check_children(self, node: _Node, children: list[_Node], label: str, child_label: str):
        if node.points is None:
            return
        if node.points < 0:
            for child in children:
                if child.points is not None and child.points >= 0:
                    self.add(
                        node.where,
                        f"배점이 음수({fmt(node.points)})인 {label}에는 감점 {child_label}만 "
                        f"둘 수 있습니다 ({child.where} 배점 {fmt(child.points)})",
                        code=node.code,
                    )
        if all(child.points is not None for child in children):
            total = subtotal((child.points for child in children), node.points)
            if total != node.points:
                self.add(
                    node.where,
                    sum_mismatch_message(child_label, label, total, node.points),
                    code=node.code,
                    draft_ok=True,
                )

    def item(self, value, path) -> _Node:
        body = self.mapping(value, path, ITEM_KEYS)
        if body is None:
            return _Node(None, path, None)
        code = self.node_code(body, path)
        self.string(body.get("title", _MISSING), f"{path}.title", max_length=MAX_TITLE, code=code)
        points = self.number(
            body.get("points", _MISSING), f"{path}.points", places=POINTS_PLACES, code=code
        )
        node = _Node(code, path, points)
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
                "채점 방식이 없습니다 (defaults.scoring도 없습니다)",
                code=code,
            )
        elif self.default is not _INVALID:
            self.check_item_scoring(node, self.default, own=False)
        return node

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
            self.add(f"{path}.certificates", "인증 이름이 하나 이상 있어야 합니다", code=code)
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
