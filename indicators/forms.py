"""Forms of the rubric pages. They parse what the browser sends; the rules live in
``validation`` and are applied by the services, so the editor refuses what an import refuses,
with the same messages."""

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import RoundingMode, ScoringMethod
from .validation import (
    MAX_CERTIFICATE,
    MAX_NODE_CODE,
    MAX_TITLE,
    MAX_UNIT,
    MAX_VERSION,
    NODE_CODE_RE,
    fmt,
)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
DEFAULT_METHOD = "default"

_points = {"max_digits": 10, "decimal_places": 3}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("평가지표 파일 (YAML 또는 JSON)"),
        help_text=_("교환 형식 certeval.rubric/1 문서. 최대 2MB."),
    )
    publish = forms.BooleanField(
        label=_("가져온 뒤 바로 게시"),
        required=False,
        help_text=_("선택하지 않으면 초안으로 가져옵니다. 게시된 버전은 다시 바꿀 수 없습니다."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("파일이 너무 큽니다 (%(size)s바이트, 최대 %(max)s바이트)."),
                params={"size": upload.size, "max": MAX_UPLOAD_BYTES},
            )
        return upload


class CloneForm(forms.Form):
    new_version = forms.CharField(
        label=_("새 버전"), max_length=MAX_VERSION, help_text=_("예: 2, 2026-1")
    )
    title = forms.CharField(label=_("제목 (비우면 그대로)"), max_length=MAX_TITLE, required=False)


class VersionForm(forms.Form):
    title = forms.CharField(label=_("제목"), max_length=MAX_TITLE)
    total_points = forms.DecimalField(label=_("총점"), min_value=Decimal("0.001"), **_points)
    rounding_places = forms.IntegerField(label=_("반올림 자릿수"), min_value=0, max_value=6)
    rounding_mode = forms.ChoiceField(label=_("반올림 방식"), choices=RoundingMode.choices)


_code_validator = RegexValidator(
    NODE_CODE_RE, _("코드에는 글자, 숫자, '.', '-', '_' 만 쓸 수 있습니다.")
)


class NodeForm(forms.Form):
    """Code, title and points of an area, indicator or item (the editor's tree rows)."""

    code = forms.CharField(label=_("코드"), max_length=MAX_NODE_CODE, validators=[_code_validator])
    title = forms.CharField(label=_("제목"), max_length=MAX_TITLE)
    points = forms.DecimalField(label=_("배점"), **_points)


class SubstitutionForm(forms.Form):
    certificates = forms.CharField(
        label=_("대체 인정 인증 (쉼표로 구분)"),
        required=False,
        help_text=_("예: ISMS, ISMS-P. 비우면 대체 인정을 없앱니다."),
    )
    award_ratio = forms.DecimalField(
        label=_("인정 비율 (0~1)"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
    )
    note = forms.CharField(label=_("비고"), required=False, widget=forms.Textarea({"rows": 2}))

    def clean(self):
        data = super().clean()
        names = [n.strip() for n in (data.get("certificates") or "").split(",") if n.strip()]
        if any(len(n) > MAX_CERTIFICATE for n in names):
            self.add_error("certificates", _("인증 이름은 50자 이하여야 합니다."))
        if names and data.get("award_ratio") is None:
            self.add_error("award_ratio", _("대체 인정 비율을 입력하십시오."))
        self.substitution = None
        if names:
            self.substitution = {"certificates": names, "award_ratio": data.get("award_ratio")}
            if data.get("note"):
                self.substitution["note"] = data["note"]
        return data


def _parse_bands(text: str) -> list[dict]:
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("→", ",").replace(":", ",").split(",")]
        parts = [p for p in parts if p]
        try:
            low, points = (Decimal(p) for p in parts)
        except Exception:
            raise forms.ValidationError(
                _("%(line)s행: '하한, 배점' 형식이어야 합니다 (예: 100, 4). 받은 값: %(text)s"),
                params={"line": number, "text": line.strip()},
            ) from None
        if not (low.is_finite() and points.is_finite()):
            raise forms.ValidationError(
                _("%(line)s행: 숫자를 입력하십시오."), params={"line": number}
            )
        bands.append({"min": low, "points": points})
    return bands


class ItemForm(NodeForm):
    """The item page: scoring method with its parameters, and the guidance text."""

    method = forms.ChoiceField(label=_("채점 방식"))
    # translate="no": rubric content (scale titles, purposes, hints) stays as written.
    scale = forms.ChoiceField(
        label=_("등급 척도 (등급 방식)"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),
    )
    step = forms.DecimalField(label=_("단위 점수 (점수 방식, 비우면 1)"), required=False, **_points)
    unit = forms.CharField(label=_("측정 단위 (구간 방식)"), required=False, max_length=MAX_UNIT)
    bands = forms.CharField(
        label=_("구간 (구간 방식): 한 줄에 '하한, 배점'"),
        required=False,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("측정값이 하한 이상인 가장 높은 구간의 배점을 줍니다. 예: 100, 4"),
    )
    per_case = forms.DecimalField(label=_("건당 감점 (감점 방식, 음수)"), required=False, **_points)
    purpose = forms.CharField(
        label=_("평가목적 및 취지 (한 줄에 하나)"),
        required=False,
        widget=forms.Textarea({"rows": 4, "translate": "no"}),
    )
    evidence_hint = forms.CharField(
        label=_("증빙 안내"), required=False, widget=forms.Textarea({"rows": 2, "translate": "no"})
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        methods = list(ScoringMethod.choices)
        if version.default_scoring:
            default = version.default_scoring
            label = _("기본 채점 방식 따르기 (%(method)s %(scale)s)") % {
                "method": default.get("method"),
                "scale": default.get("scale", ""),
            }
            methods.insert(0, (DEFAULT_METHOD, label))
        self.fields["method"].choices = methods
        self.fields["scale"].choices = [("", "—")] + [
            (scale.name, f"{scale.title} ({scale.name})") for scale in version.scales.all()
        ]

    @classmethod
    def initial_for(cls, item) -> dict:
        params = item.params or {}
        bands = "\n".join(f"{b['min']}, {b['points']}" for b in params.get("bands", []))
        return {
            "code": item.code,
            "title": item.title,
            "points": fmt(item.points),
            "method": DEFAULT_METHOD if item.inherits_default else item.method,
            "scale": params.get("scale", ""),
            "step": params.get("step"),
            "unit": params.get("unit", ""),
            "bands": bands,
            "per_case": params.get("per_case"),
            "purpose": "\n".join(item.purpose or []),
            "evidence_hint": item.evidence_hint,
        }

    def clean_bands(self):
        return _parse_bands(self.cleaned_data.get("bands", ""))

    def clean(self):
        data = super().clean()
        method = data.get("method")
        self.scoring = None
        if method == ScoringMethod.GRADE:
            if not data.get("scale"):
                self.add_error("scale", _("등급 방식에는 등급 척도를 골라야 합니다."))
            self.scoring = {"method": "grade", "scale": data.get("scale")}
        elif method == ScoringMethod.POINTS:
            self.scoring = {"method": "points"}
            if data.get("step") is not None:
                self.scoring["step"] = data["step"]
        elif method == ScoringMethod.BANDS:
            if not data.get("bands") and "bands" not in self.errors:
                self.add_error("bands", _("구간 방식에는 구간이 하나 이상 있어야 합니다."))
            self.scoring = {"method": "bands", "bands": data.get("bands") or []}
            if data.get("unit"):
                self.scoring["unit"] = data["unit"]
        elif method == ScoringMethod.PENALTY:
            if data.get("per_case") is None:
                self.add_error("per_case", _("감점 방식에는 건당 감점을 입력해야 합니다."))
            self.scoring = {"method": "penalty", "per_case": data.get("per_case")}
        data["purpose_lines"] = _lines(data.get("purpose", ""))
        return data


class CheckpointForm(forms.Form):
    text = forms.CharField(
        label=_("착안사항"), widget=forms.Textarea({"rows": 2, "translate": "no"})
    )
    details = forms.CharField(
        label=_("세부 착안사항 (한 줄에 하나)"),
        required=False,
        widget=forms.Textarea({"rows": 3, "translate": "no"}),
    )

    def clean_details(self):
        return _lines(self.cleaned_data.get("details", ""))
