from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import GROUP_NAMES, Role
from .validators import validate_business_number


class User(AbstractUser):
    """The product's user. Roles are groups (see ``roles.py``)."""

    name = models.CharField(_("이름"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    def role_set(self) -> frozenset[Role]:
        """The roles this user holds; cached on the instance for the request."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            by_group = {name: role for role, name in GROUP_NAMES.items()}
            names = self.groups.values_list("name", flat=True) if self.pk else []
            cached = frozenset(by_group[n] for n in names if n in by_group)
            if self.is_superuser:
                cached = cached | {Role.ADMIN}
            self._role_cache = cached
        return cached

    def has_role(self, role: Role) -> bool:
        return self.is_active and role in self.role_set()


class InstitutionType(models.TextChoices):
    WIDE = "wide", _("Ⅰ형 광역형")
    REGIONAL = "regional", _("Ⅱ형 지역특화형")


class Institution(models.Model):
    name = models.CharField(_("기관명"), max_length=200)
    business_number = models.CharField(
        _("사업자등록번호"),
        max_length=10,
        unique=True,
        validators=[validate_business_number],
        help_text=_("숫자 10자리 (하이픈 없이)"),
    )
    type = models.CharField(_("유형"), max_length=20, choices=InstitutionType.choices)
    registered_on = models.DateField(_("등록일"))
    sanctioned = models.BooleanField(_("제재 이력"), default=False)
    contact_name = models.CharField(_("담당자"), max_length=100, blank=True)
    contact_email = models.EmailField(_("담당자 이메일"), blank=True)
    contact_phone = models.CharField(_("담당자 전화"), max_length=30, blank=True)
    members = models.ManyToManyField(
        User, through="Membership", related_name="institutions", verbose_name=_("구성원")
    )

    class Meta:
        verbose_name = _("기관")
        verbose_name_plural = _("기관")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("기관 구성원")
        verbose_name_plural = _("기관 구성원")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="uniq_membership"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.institution}"


class Certificate(models.Model):
    """A certificate an institution holds (e.g. ISMS, ISMS-P), used for area substitution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("인증 종류"), max_length=50, help_text=_("예: ISMS, ISMS-P"))
    number = models.CharField(_("인증번호"), max_length=100)
    issuer = models.CharField(_("발급기관"), max_length=200)
    valid_from = models.DateField(_("유효기간 시작"))
    valid_until = models.DateField(_("유효기간 종료"))
    file = models.FileField(_("인증서 파일"), upload_to="certificates/", blank=True)

    class Meta:
        verbose_name = _("인증서")
        verbose_name_plural = _("인증서")
        ordering = ["institution", "kind", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="certificate_valid_range",
            ),
            models.UniqueConstraint(fields=["kind", "number"], name="uniq_certificate_number"),
        ]

    def __str__(self):
        return f"{self.kind} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until


class AccountAction(models.TextChoices):
    GRANT = "grant", _("역할 부여")
    REVOKE = "revoke", _("역할 해제")
    PASSWORD_RESET = "password_reset", _("비밀번호 재설정 링크 발송")
    SECOND_FACTOR_RESET = "second_factor_reset", _("2단계 인증 초기화")


class AccountAuditQuerySet(models.QuerySet):
    """Append-only: rows are added, never changed or removed."""

    def update(self, **kwargs):
        raise PermissionError("계정 변경 이력은 수정할 수 없습니다.")

    def delete(self):
        raise PermissionError("계정 변경 이력은 삭제할 수 없습니다.")

    delete.queryset_only = True


class AccountAudit(models.Model):
    """Who granted or revoked which role of whom, when and why; password-reset links sent and
    second factors reset for another user. Written only by ``institutions.services``
    (docs/decisions/014-security-round-two.md). ``actor`` is empty for the system (seed,
    ``manage.py`` commands)."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="account_audit", verbose_name=_("대상")
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리자"),
    )
    at = models.DateTimeField(_("시각"), default=timezone.now)
    action = models.CharField(_("동작"), max_length=30, choices=AccountAction.choices)
    role = models.CharField(_("역할"), max_length=20, choices=Role.choices, blank=True)
    reason = models.TextField(_("사유"), blank=True)

    objects = AccountAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("계정 변경 이력")
        verbose_name_plural = _("계정 변경 이력")
        ordering = ["-at", "-pk"]
        default_permissions = ("add", "view")

    def __str__(self):
        return f"{self.get_action_display()} {self.user_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("계정 변경 이력은 수정할 수 없습니다.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("계정 변경 이력은 삭제할 수 없습니다.")
