from django import forms
from django.utils.translation import gettext_lazy as _

from ..mail import QueuedPasswordResetForm
from ..models import Institution, InstitutionType
from .services import EDITABLE_FIELDS


class PasswordResetRequestForm(QueuedPasswordResetForm):
    email = forms.EmailField(
        label=_("이메일"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class DateInput(forms.DateInput):
    input_type = "date"


class RegistrationForm(forms.Form):
    institution_name = forms.CharField(label=_("기관명"), max_length=200)
    business_number = forms.CharField(
        label=_("사업자등록번호"),
        max_length=12,
        help_text=_("숫자 10자리 (하이픈은 있어도 없어도 됩니다)"),
    )
    institution_type = forms.ChoiceField(label=_("유형"), choices=InstitutionType.choices)
    registered_on = forms.DateField(label=_("등록일"), widget=DateInput)
    representative = forms.CharField(label=_("대표자"), max_length=100)
    address = forms.CharField(label=_("주소"), max_length=300)
    contact_name = forms.CharField(label=_("담당자 이름"), max_length=100)
    email = forms.EmailField(label=_("담당자 이메일"), help_text=_("확인 링크를 보냅니다."))
    phone = forms.CharField(label=_("담당자 전화"), max_length=30)
    username = forms.RegexField(
        label=_("아이디"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("아이디에는 영문, 숫자와 @ . + - _ 만 쓸 수 있습니다.")},
    )
    password = forms.CharField(
        label=_("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("비밀번호 확인"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Two separate consents (개인정보 보호법 제22조: 구분하여 동의). Unticked is not a form error:
    # the service names it, so a refusal lists every problem at once.
    privacy_consent = forms.BooleanField(
        label=_("위 개인정보 수집·이용에 동의합니다 (필수)"), required=False
    )
    terms_consent = forms.BooleanField(label=_("이용약관에 동의합니다 (필수)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("두 비밀번호가 서로 다릅니다."))
        return data


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("이메일"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("사유"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=100)
    username = forms.RegexField(
        label=_("아이디"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("아이디에는 영문, 숫자와 @ . + - _ 만 쓸 수 있습니다.")},
    )
    password = forms.CharField(
        label=_("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("비밀번호 확인"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("두 비밀번호가 서로 다릅니다."))
        return data


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = list(EDITABLE_FIELDS)
        widgets = {"registered_on": DateInput}


class SanctionForm(forms.Form):
    starts_on = forms.DateField(label=_("제재 시작일"), widget=DateInput)
    ends_on = forms.DateField(
        label=_("제재 종료일"), widget=DateInput, required=False, help_text=_("비우면 해제 시까지")
    )
    reason = forms.CharField(label=_("사유"), max_length=500)


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label=_("검색 (기관명·사업자등록번호)"), required=False)
    type = forms.ChoiceField(
        label=_("유형"), required=False, choices=[("", _("전체")), *InstitutionType.choices]
    )
    sanction = forms.ChoiceField(
        label=_("제재"),
        required=False,
        choices=[("", _("전체")), ("active", _("제재 중")), ("none", _("제재 없음"))],
    )
    certificate = forms.ChoiceField(
        label=_("인증(ISMS 등)"),
        required=False,
        choices=[
            ("", _("전체")),
            ("valid", _("유효한 인증 보유")),
            ("none", _("유효한 인증 없음")),
        ],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("기관 목록 파일 (CSV UTF-8 또는 XLSX)"),
        help_text=_(
            "열: 기관명, 사업자등록번호, 유형, 등록일, 제재 종료일(선택), 담당자 이메일(선택)"
        ),
    )


class EvaluatorProfileForm(forms.Form):
    expertise = forms.CharField(
        label=_("전문 분야 (평가 영역 코드)"),
        required=False,
        max_length=200,
        help_text=_(
            "쉼표로 구분: 예) A, B, D. 자동 배정은 평가지표의 영역을 많이 다루는 위원을 먼저 고릅니다."
        ),
    )
    qualifications = forms.CharField(
        label=_("자격·경력"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = forms.CharField(label=_("현 소속"), required=False, max_length=200)
    phone = forms.CharField(label=_("연락처"), required=False, max_length=30)

    def expertise_codes(self) -> list[str]:
        return [c for c in self.cleaned_data["expertise"].replace(" ", "").split(",") if c]


class AffiliationForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("기관 (등록된 기관)"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),  # institution names are data
    )
    organisation = forms.CharField(
        label=_("기관명 (등록되지 않은 기관)"), required=False, max_length=200
    )
    started_on = forms.DateField(label=_("시작일"), widget=DateInput)
    ended_on = forms.DateField(
        label=_("종료일"), widget=DateInput, required=False, help_text=_("비우면 현재")
    )
