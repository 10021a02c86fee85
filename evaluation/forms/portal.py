"""Forms of the institution portal: applying, the evidence narrative, reopening."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .cycle import DateTimeInput


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("설명"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("이 항목의 증빙을 평가위원이 이해할 수 있도록 요약하십시오."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("재개방 사유"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    open_until = forms.DateTimeField(
        label=_("재개방 기한"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"]
    )


class ApplyForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("신청 기관"), queryset=None)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
