"""The validation walker's reading of how a rubric scores: its grade scales, the default
scoring, the rounding, and each item's scoring method with its parameters, checked against the
item's points. Pure Python, like ``validation``."""

from __future__ import annotations

from decimal import Decimal

from .messages import _
from .reader import _INVALID, _MISSING, Node, Reader, _show, must_be_mapping
from .rubric_format import (
    BAND_KEYS,
    DEFAULTS_KEYS,
    LEVEL_KEYS,
    MAX_LEVEL_CODE,
    MAX_LEVEL_TITLE,
    MAX_ROUNDING_PLACES,
    MAX_SCALE_NAME,
    MAX_SCALE_TITLE,
    MAX_UNIT,
    MEASURE_PLACES,
    METHODS,
    POINTS_PLACES,
    RATIO_PLACES,
    ROUNDING_KEYS,
    ROUNDING_MODES,
    SCALE_KEYS,
    SCORING_KEYS,
    SLUG_RE,
    fmt,
)


class ScoringReader(Reader):
    def __init__(self) -> None:
        super().__init__()
        self.scales: set[str] | None = set()
        self.default: object = _MISSING

    # -- grade scales, defaults, rounding ---------------------------------------------------

    def grade_scales(self, value) -> None:
        if value is _MISSING:
            return
        if not isinstance(value, dict):
            self.add("grade_scales", must_be_mapping(value))
            self.scales = None
            return
        for name, scale in value.items():
            path = f"grade_scales.{name}"
            if not isinstance(name, str) or not SLUG_RE.match(name) or len(name) > MAX_SCALE_NAME:
                self.add(path, _("척도 이름은 영문, 숫자, -, _ 로 100자 이내여야 합니다"))
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
                message = _("등급이 2개 이상이어야 합니다 (현재 %(count)s개)") % {
                    "count": len(levels)
                }
                self.add(f"{path}.levels", message)
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
                            _(
                                "'%(code)s' 등급 코드가 중복됩니다 "
                                "(levels[%(first)s], levels[%(second)s])"
                            )
                            % {"code": code, "first": seen[code], "second": i},
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
                    _("0부터 %(max)s까지의 정수여야 합니다 (받은 값: %(value)s)")
                    % {"max": MAX_ROUNDING_PLACES, "value": _show(places)},
                )
        if "mode" in body and body["mode"] not in ROUNDING_MODES:
            self.add(
                "rounding.mode",
                _("알 수 없는 반올림 방식입니다 (받은 값: %(value)s). 쓸 수 있는 방식: %(modes)s")
                % {"value": _show(body["mode"]), "modes": ", ".join(ROUNDING_MODES)},
            )

    # -- scoring -----------------------------------------------------------------------------

    def scoring(self, value, path, *, code) -> dict | None:
        """The scoring mapping with its numbers as Decimals, or None when it is malformed."""
        if not isinstance(value, dict):
            self.add(path, must_be_mapping(value), code=code)
            return None
        if "method" not in value:
            self.add(f"{path}.method", _("필수 키가 없습니다"), code=code)
            return None
        method = value["method"]
        if method not in METHODS:
            self.add(
                f"{path}.method",
                _("알 수 없는 채점 방식입니다 (받은 값: %(value)s). 쓸 수 있는 방식: %(methods)s")
                % {"value": _show(method), "methods": ", ".join(METHODS)},
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
                    _("max 값(%(max)s)은 min 값(%(min)s)보다 커야 합니다")
                    % {"max": fmt(high), "min": fmt(low)},
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
            self.add(path, _("구간이 하나 이상 있어야 합니다"), code=code)
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
        known = ", ".join(sorted(self.scales)) or _("없음")
        self.add(
            where,
            _("'%(scale)s' 등급 척도가 없습니다 (정의된 척도: %(known)s)")
            % {"scale": scoring["scale"], "known": known},
            code=code,
        )

    def check_band_mins(self, scoring, where, *, code) -> None:
        seen: dict[Decimal, int] = {}
        for i, band in enumerate(scoring["bands"]):
            low = band["min"]
            if low in seen:
                self.add(
                    where,
                    _("구간 하한(min %(min)s)이 중복됩니다 (bands[%(first)s], bands[%(second)s])")
                    % {"min": fmt(low), "first": seen[low], "second": i},
                    code=code,
                )
            seen.setdefault(low, i)

    def check_item_scoring(self, node: Node, scoring: dict, *, own: bool) -> None:
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
                _(
                    "배점이 음수(%(points)s)인 항목은 감점(penalty) 방식이어야 합니다 "
                    "(현재: %(method)s)"
                )
                % {"points": fmt(points), "method": method},
                code=code,
            )
        if method == "penalty" and points >= 0:
            self.add(
                where,
                _("감점(penalty) 항목의 배점은 음수여야 합니다 (현재: %(points)s)")
                % {"points": fmt(points)},
                code=code,
            )
        if method == "points" and scoring.get("step") and points >= 0:
            step = scoring["step"]
            if points % step != 0:
                self.add(
                    where,
                    _("항목 배점(%(points)s)이 단위 점수(step %(step)s)의 배수가 아닙니다")
                    % {"points": fmt(points), "step": fmt(step)},
                    code=code,
                )
        if method == "bands":
            for i, band in enumerate(scoring["bands"]):
                if band["points"] > points:
                    self.add(
                        where,
                        _(
                            "구간 배점(%(band)s)이 항목 배점(%(points)s)보다 "
                            "큽니다 (bands[%(index)s])"
                        )
                        % {"band": fmt(band["points"]), "points": fmt(points), "index": i},
                        code=code,
                    )
