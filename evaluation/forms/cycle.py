"""Forms of the evaluation app. They validate shapes; the services validate the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from indicators.models import RubricVersion, VersionStatus

from .. import numbers
from ..models import AggregationRule, Cycle, Stage


def minimum_ratio() -> numbers.Accepts:
    """What an area's minimum ratio accepts, labelled in the page's language."""
    return numbers.Accepts(str(_("최저 비율")), "", Decimal(0), Decimal(1), places=4)


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class CycleForm(forms.Form):
    title = forms.CharField(label=_("제목"), max_length=200)
    slug = forms.CharField(
        label=_("주소 이름"),
        max_length=100,
        help_text=_("영문 소문자, 숫자, 하이픈(-). 예: 2026-h1"),
        # The hint and the refusal say the same thing (issue 14): not Django's "슬러그" message.
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                _(
                    "주소 이름에는 영문 소문자, 숫자, 하이픈(-)만 쓸 수 있고 하이픈으로 "
                    "시작하거나 끝날 수 없습니다. 예: 2026-h1"
                ),
            )
        ],
    )
    rubric_version = forms.ModelChoiceField(
        label=_("평가지표 버전"),
        queryset=RubricVersion.objects.none(),
        help_text=_("게시된 버전만 고를 수 있습니다. 평가 주기에 쓰인 버전은 바꿀 수 없습니다."),
    )
    reference_date = forms.DateField(
        label=_("기준일"),
        widget=DateInput,
        help_text=_("신청 자격(등록 3년 이상)과 인증서 유효 여부를 이 날짜로 판단합니다."),
    )
    evidence_deadline = forms.DateTimeField(
        label=_("증빙 제출 마감"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"]
    )
    aggregation_rule = forms.ChoiceField(
        label=_("점수 집계 방식"), choices=AggregationRule.choices, initial=AggregationRule.MEAN
    )
    pass_threshold = forms.DecimalField(
        label=_("인증 기준 점수"), max_digits=10, decimal_places=3, min_value=0
    )
    area_minimums = forms.CharField(
        label=_("영역별 최소 득점 비율"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "한 줄에 하나씩 '영역코드=비율', 비율은 0~1 (예: 평가지표의 첫 영역 코드가 "
            "'가'라면 가=0.4). 비워 두면 없음."
        ),
    )
    evaluators_per_application = forms.IntegerField(
        label=_("신청기관당 평가위원 수"), min_value=1, max_value=20, initial=3
    )
    require_comment = forms.BooleanField(
        label=_("항목별 평가 의견 필수"), required=False, initial=True
    )
    show_other_sheets_after_confirm = forms.BooleanField(
        label=_("확정 후 다른 위원 평가표 공개"), required=False
    )
    disagreement_ratio = forms.DecimalField(
        label=_("점수 편차 경고 비율"),
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=1,
        initial=Decimal("0.40"),
    )
    show_rank = forms.BooleanField(label=_("순위 공개"), required=False)
    # The process after scoring (ADR 011, ADR 017)
    publish_comments = forms.BooleanField(
        label=_("기관에 항목별 평가 의견 공개"),
        required=False,
        help_text=_("결과통보 후 기관이 평가위원 1, 2, 3의 의견을 봅니다 (이름은 공개하지 않음)."),
    )
    objection_days = forms.IntegerField(
        label=_("이의신청 기간(일)"),
        required=False,
        min_value=1,
        max_value=90,
        initial=14,
        help_text=_("결과통보일부터 이 기간 동안 이의신청을 받습니다."),
    )
    certificate_years = forms.IntegerField(
        label=_("인증서 유효기간(년)"), required=False, min_value=1, max_value=10, initial=3
    )

    def clean_objection_days(self) -> int:
        return self.cleaned_data.get("objection_days") or 14  # blank: the default

    def clean_certificate_years(self) -> int:
        return self.cleaned_data.get("certificate_years") or 3  # blank: the default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric_version"].queryset = RubricVersion.objects.filter(
            status=VersionStatus.PUBLISHED
        ).select_related("rubric")
        for stage in Stage:
            self.fields[f"stage_{stage.value}"] = forms.DateField(
                label=_("%(stage)s 시작일") % {"stage": stage.label},
                required=False,
                widget=DateInput,
            )

    def stage_fields(self):
        return [self[f"stage_{stage.value}"] for stage in Stage]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Cycle.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("'%(slug)s' 주소 이름은 이미 쓰이고 있습니다.") % {"slug": slug}
            )
        return slug

    def clean_area_minimums(self) -> dict[str, Decimal]:
        result: dict[str, Decimal] = {}
        errors = []
        for n, line in enumerate(self.cleaned_data.get("area_minimums", "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            code, sep, value = line.partition("=")
            if not sep or not code.strip():
                errors.append(
                    _("%(n)d번째 줄 '%(line)s': '영역코드=비율' 형식이어야 합니다 (예: 가=0.4).")
                    % {"n": n, "line": line}
                )
                continue
            try:
                ratio = numbers.parse(value, code=code.strip(), accepts=minimum_ratio())
            except numbers.NumberError as exc:
                errors.append(_("%(n)d번째 줄: %(problem)s") % {"n": n, "problem": exc})
                continue
            result[code.strip()] = ratio
        if errors:
            raise forms.ValidationError(errors)
        return result

    def stage_dates(self):
        return {
            stage.value: self.cleaned_data.get(f"stage_{stage.value}")
            for stage in Stage
            if self.cleaned_data.get(f"stage_{stage.value}")
        }
