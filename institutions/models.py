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
    sanctioned = models.BooleanField(
        _("제재 이력"),
        default=False,
        help_text=_("기한 없는 제재. 기간이 있는 제재는 제재 기록(Sanction)으로 남깁니다."),
    )
    representative = models.CharField(_("대표자"), max_length=100, blank=True)
    address = models.CharField(_("주소"), max_length=300, blank=True)
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


class Sanction(models.Model):
    """A 제재 with its period. Eligibility (evaluation) reads ``institutions.queries.
    sanction_on``; an open end (no ``ends_on``) lasts until lifted."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="sanctions", verbose_name=_("기관")
    )
    starts_on = models.DateField(_("제재 시작일"))
    ends_on = models.DateField(_("제재 종료일"), null=True, blank=True)
    reason = models.CharField(_("사유"), max_length=500)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("제재")
        verbose_name_plural = _("제재")
        ordering = ["institution", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="sanction_period",
            ),
        ]

    def __str__(self):
        return f"{self.institution} 제재 {self.starts_on}~{self.ends_on or ''}"


class RegistrationStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("이메일 확인 대기")
    PENDING = "pending", _("승인 대기")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")


class Registration(models.Model):
    """An institution's sign-up, waiting for its e-mail confirmation and an admin's decision.

    Nothing is created in ``Institution``/``User`` until approval; the chosen password is kept
    only as Django's hash."""

    institution_name = models.CharField(_("기관명"), max_length=200)
    business_number = models.CharField(_("사업자등록번호"), max_length=10)
    institution_type = models.CharField(_("유형"), max_length=20, choices=InstitutionType.choices)
    registered_on = models.DateField(_("등록일"))
    representative = models.CharField(_("대표자"), max_length=100)
    address = models.CharField(_("주소"), max_length=300)
    contact_name = models.CharField(_("담당자 이름"), max_length=100)
    email = models.EmailField(_("담당자 이메일"))
    phone = models.CharField(_("담당자 전화"), max_length=30)
    username = models.CharField(_("아이디"), max_length=150)
    password_hash = models.CharField(max_length=128)
    privacy_consent_at = models.DateTimeField(_("개인정보 수집·이용 동의 일시"))
    privacy_consent_version = models.CharField(max_length=20)
    terms_consent_at = models.DateTimeField(_("이용약관 동의 일시"))
    status = models.CharField(
        _("상태"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.UNCONFIRMED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("사유"), blank=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("기관 가입 신청")
        verbose_name_plural = _("기관 가입 신청")
        ordering = ["-created_at"]
        constraints = [
            # one live (not rejected) sign-up per 사업자등록번호
            models.UniqueConstraint(
                fields=["business_number"],
                condition=~models.Q(status="rejected"),
                name="uniq_live_registration_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status="unconfirmed")
                | models.Q(email_confirmed_at__isnull=False),
                name="registration_confirmed_before_review",
            ),
        ]

    def __str__(self):
        return f"{self.institution_name} ({self.get_status_display()})"


class Invitation(models.Model):
    """An invitation by e-mail to join an institution (role 기관담당자) or the evaluator pool
    (role 평가위원). The link is signed (``institutions.tokens``); it is used once."""

    email = models.EmailField(_("이메일"))
    role = models.CharField(_("역할"), max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("기관"),
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("초대")
        verbose_name_plural = _("초대")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="institution") | models.Q(institution__isnull=False),
                name="member_invitation_has_institution",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"


class PeopleEventKind(models.TextChoices):
    REGISTERED = "registered", _("가입 신청")
    EMAIL_CONFIRMED = "email_confirmed", _("이메일 확인")
    APPROVED = "approved", _("가입 승인")
    REJECTED = "rejected", _("가입 반려")
    INVITED = "invited", _("초대")
    JOINED = "joined", _("초대 수락")
    DEACTIVATED = "deactivated", _("구성원 비활성화")
    INSTITUTION_CHANGED = "institution_changed", _("기관 정보 변경")
    SANCTION_RECORDED = "sanction_recorded", _("제재 기록")
    IMPORTED = "imported", _("일괄 등록")
    PROFILE_CHANGED = "profile_changed", _("평가위원 정보 변경")
    AFFILIATION_ADDED = "affiliation_added", _("소속 이력 추가")
    PURGED = "purged", _("개인정보 파기")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("people events are append-only")

    def delete(self):
        raise PermissionError("people events are append-only")


class PeopleEvent(models.Model):
    """Who changed what about people and institutions, when. Append-only: rows are never
    updated or deleted through the ORM (a retention purge deletes with a raw queryset)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("변경"), max_length=30, choices=PeopleEventKind.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    subject = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="people_events"
    )
    detail = models.TextField(_("내용"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("구성원 변경 기록")
        verbose_name_plural = _("구성원 변경 기록")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("people events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("people events are append-only")


class EvaluatorProfile(models.Model):
    """An evaluator's profile in the pool: which rubric areas they may score (area codes, as
    in the rubric file: "A", "B", ...), qualifications and contact."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="evaluator_profile", verbose_name=_("평가위원")
    )
    expertise = models.JSONField(
        _("전문 분야(평가 영역 코드)"), default=list, blank=True, help_text=_("예: A, B, D")
    )
    qualifications = models.TextField(_("자격·경력"), blank=True)
    organisation = models.CharField(_("현 소속"), max_length=200, blank=True)
    phone = models.CharField(_("연락처"), max_length=30, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("평가위원 정보")
        verbose_name_plural = _("평가위원 정보")

    def __str__(self):
        return f"{self.user} 평가위원 정보"


class Affiliation(models.Model):
    """An evaluator's past or present affiliation (기관, from, to). One with a registered
    institution within ``CONFLICT_AFFILIATION_YEARS`` bars them from evaluating it (제척)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("평가위원")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="affiliations",
        verbose_name=_("기관"),
    )
    organisation = models.CharField(_("기관명(미등록 기관)"), max_length=200, blank=True)
    started_on = models.DateField(_("시작일"))
    ended_on = models.DateField(_("종료일"), null=True, blank=True, help_text=_("비우면 현재"))

    class Meta:
        verbose_name = _("소속 이력")
        verbose_name_plural = _("소속 이력")
        ordering = ["user", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="affiliation_period",
            ),
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False) | ~models.Q(organisation=""),
                name="affiliation_names_an_organisation",
            ),
        ]

    def __str__(self):
        where = self.institution.name if self.institution_id else self.organisation
        return f"{where} {self.started_on}~{self.ended_on or ''}"


class Destruction(models.Model):
    """A 파기 record: what a retention rule destroyed, when, by which rule and setting. Kept
    (never purged itself); append-only like ``PeopleEvent``."""

    at = models.DateTimeField(_("파기 시각"), auto_now_add=True, db_index=True)
    rule = models.CharField(_("규칙"), max_length=50)
    rule_label = models.CharField(_("규칙 이름"), max_length=200)
    retention_days = models.PositiveIntegerField(_("보유기간(일)"))
    count = models.PositiveIntegerField(_("건수"))
    what = models.TextField(_("파기 대상"), help_text=_("대상의 종류와 식별자 (개인정보 제외)"))
    held = models.PositiveIntegerField(
        _("보존 유지 건수"), default=0, help_text=_("인증서·이의신청 등이 아직 필요로 해 남긴 건수")
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("파기 기록")
        verbose_name_plural = _("파기 기록")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.rule_label} {self.count}건"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("destruction records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("destruction records are append-only")
