"""Forms for assignments, pledges and conflicts. They check shapes; services check rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.templatetags.data_tags import as_data
from institutions.models import User


class EvaluatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class EvaluatorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return as_data(obj.display_name)  # a name: data (translate="no")


class AssignOneForm(forms.Form):
    evaluator = EvaluatorChoiceField(
        label=_("평가위원"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"translate": "no"}),  # the options are names
    )

    def __init__(self, *args, evaluators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = (
            evaluators if evaluators is not None else User.objects.none()
        )


class ApplicationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return as_data(obj.institution.name)


class BulkAssignForm(forms.Form):
    applications = ApplicationsField(
        label=_("신청 기관"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    evaluators = EvaluatorsField(
        label=_("평가위원"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, applications, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
        self.fields["evaluators"].queryset = evaluators


class AutoAssignForm(forms.Form):
    cap = forms.IntegerField(
        label=_("평가위원 1인당 최대 배정 수"),
        min_value=1,
        max_value=1000,
        help_text=_("이 평가 주기에서 한 평가위원이 맡을 수 있는 신청 기관 수(기존 배정 포함)."),
    )
    evaluators = EvaluatorsField(
        label=_("배정 대상 평가위원"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = evaluators


class PledgeForm(forms.Form):
    agree = forms.BooleanField(
        label=_("위 서약 내용을 읽고 이해하였으며, 이에 서약합니다."),
        error_messages={"required": _("서약 내용에 동의해야 평가를 시작할 수 있습니다.")},
    )


class DeclarationForm(forms.Form):
    CHOICES = [
        ("none", _("이해충돌 없음 — 이 기관과 이해관계가 없습니다.")),
        ("conflict", _("이해충돌 있음 — 이 평가에서 회피합니다.")),
    ]
    declaration = forms.ChoiceField(
        label=_("이해충돌 신고"), choices=CHOICES, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("사유 (이해충돌이 있으면 필수)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("declaration") == "conflict" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("이해충돌(회피) 사유를 입력하십시오."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("사유"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChallengeRequestForm(forms.Form):
    assignment = forms.ModelChoiceField(label=_("기피 대상 평가위원"), queryset=None)
    reason = forms.CharField(
        label=_("기피 사유"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: a.evaluator.display_name


class ChallengeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[("upheld", _("인용 (평가위원 배제)")), ("rejected", _("기각"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("결정 사유"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
