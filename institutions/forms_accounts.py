"""Forms of the 사용자·역할 pages (grant, revoke, reset link)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .services import MAX_REASON_CHARS


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("사유"),
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("사유를 입력하십시오.")},
    )


class RoleForm(ReasonForm):
    role = forms.ChoiceField(
        label=_("역할"),
        choices=Role.choices,
        error_messages={"required": _("역할을 고르십시오.")},
    )
    field_order = ["role", "reason"]
