"""Forms of the 사용자·역할 pages (grant, revoke, reset link)."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
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


class GuardedPasswordChangeForm(PasswordChangeForm):
    """Checks the current password through ``authenticate`` (django-axes first), so a wrong
    one counts as a failed log-in of this account: the limit, the lock-out and its cool-off are
    those of the log-in page (issue 15, finding 4)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(
                _(
                    "현재 비밀번호가 맞지 않습니다. 연속해서 틀리면 로그아웃되고 로그인이 "
                    "잠시 제한됩니다."
                ),
                code="password_incorrect",
            )
        return old_password


class OneTimeCodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("인증 코드"),
        max_length=16,
        error_messages={"required": _("인증 앱에 표시된 6자리 코드를 입력하십시오.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())
