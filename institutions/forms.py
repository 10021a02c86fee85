from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log-in form whose error never tells whether the account exists."""

    username = forms.CharField(label=_("아이디"), max_length=150)
    password = forms.CharField(
        label=_("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "아이디 또는 비밀번호가 올바르지 않습니다. 연속해서 틀리면 잠시 로그인이 제한됩니다."
        ),
        "inactive": _(
            "아이디 또는 비밀번호가 올바르지 않습니다. 연속해서 틀리면 잠시 로그인이 제한됩니다."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
