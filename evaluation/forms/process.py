"""Forms of the certification process: stage advance, objections, withdrawal decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Decision, ObjectionStatus
from ..services.objections import MAX_REASON_CHARS

TEXTAREA = {"rows": 3, "class": "form-control"}


def _confirmation(label):
    return forms.BooleanField(
        label=label,
        error_messages={"required": _("결정을 확인하는 칸에 표시하십시오.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class AdvanceForm(forms.Form):
    expected_stage = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("조기 마감 사유"),
        required=False,
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("신청 마감 전에 신청을 닫을 때만 필요합니다."),
    )
    confirm = forms.BooleanField(
        label=_("이 단계 진행은 되돌릴 수 없음을 확인했습니다."),
        error_messages={"required": _("단계 진행을 확인하는 칸에 표시하십시오.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ObjectionForm(forms.Form):
    """One optional reason field per item of the rubric; the items given a reason are the ones
    contested."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=f"{item.code} {item.title}",
                required=False,
                max_length=MAX_REASON_CHARS,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def reasons(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data[f"reason_{item.pk}"]
            for item in self.items
            if (self.cleaned_data.get(f"reason_{item.pk}") or "").strip()
        }

    def rows(self):
        return [(item, self[f"reason_{item.pk}"]) for item in self.items]


class ObjectionDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("결정"),
        choices=[("dismiss", _("기각")), ("rereview", _("재심"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("결정 사유"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs=TEXTAREA)
    )
    items = forms.MultipleChoiceField(
        label=_("재심할 항목"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    confirm = _confirmation(_("이 결정은 되돌릴 수 없고 기관에 통보됨을 확인했습니다."))

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (str(oi.item_id), f"{oi.item.code} {oi.item.title}") for oi in objection.items.all()
        ]


class ObjectionConclusionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("재심 결과"),
        choices=[
            (ObjectionStatus.UPHELD, ObjectionStatus.UPHELD.label),
            (ObjectionStatus.PARTLY_UPHELD, ObjectionStatus.PARTLY_UPHELD.label),
            (ObjectionStatus.UNCHANGED, ObjectionStatus.UNCHANGED.label),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    decision = forms.ChoiceField(
        label=_("인증위원회 결정"),
        required=False,
        choices=[("", _("계산된 판정을 따름")), *Decision.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("결론 사유"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs=TEXTAREA)
    )
    confirm = _confirmation(
        _("재심 결론과 인증위원회 결정은 되돌릴 수 없고 기관에 통보됨을 확인했습니다.")
    )


class WithdrawalDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("결정"),
        choices=[("1", _("수용 (평가표를 결과에서 제외)")), ("0", _("기각"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("결정 사유"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs=TEXTAREA)
    )
    confirm = _confirmation(_("이 결정은 되돌릴 수 없음을 확인했습니다."))
