"""Forms of the result page: the 인증위원회 decision and area substitution (admins)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from indicators.models import Area
from institutions.models import Certificate

from ..models import Decision


class CommitteeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("인증위원회 결정"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("결정 사유"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=gettext_lazy("계산된 판정과 다르게 결정하면 사유가 반드시 필요합니다."),
    )


class SubstitutionForm(forms.Form):
    area = forms.ModelChoiceField(label=gettext_lazy("대체할 영역"), queryset=None)
    certificate = forms.ModelChoiceField(label=gettext_lazy("인증서"), queryset=None)

    def __init__(self, *args, areas, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: f"{a.code} {a.title}"
        self.fields["certificate"].queryset = certificates
        self.fields["certificate"].label_from_instance = lambda c: (
            f"{c.kind} {c.number} ({c.valid_from:%Y-%m-%d}~{c.valid_until:%Y-%m-%d})"
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def substitution_form_for(data, post=None) -> SubstitutionForm:
    """The substitution form for an application's result (``queries.results.application_result``):
    its open areas and the institution's valid certificates."""
    return SubstitutionForm(
        post,
        areas=Area.objects.filter(pk__in=[a.pk for a in data.open_areas]).order_by("order"),
        certificates=Certificate.objects.filter(pk__in=[c.pk for c in data.certificates]),
    )
