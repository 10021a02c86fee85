"""The rubric: a family (``Rubric``), its versions, and each version's tree.

RubricVersion → GradeScale → GradeLevel
RubricVersion → Area → Indicator → Item → Checkpoint

A version that is not a draft is frozen. The model layer refuses every write to it or to any of
its children: ``save()``, ``delete()``, ``QuerySet.update()``, ``.delete()``, ``.bulk_create()``
and ``.bulk_update()`` (see ``FrozenGuardQuerySet``). The only change a published version accepts
is its own retirement. To change a published rubric, clone it to a new draft
(``indicators.services.rubric_version_clone``).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (  # noqa: F401  (re-exported: callers import them from indicators.models)
    FROZEN_STATUSES,
    POINTS,
    RATIO,
    RoundingMode,
    ScoringMethod,
    VersionStatus,
)


class FrozenRubricError(Exception):
    """A write to a published or retired rubric version (or one of its children)."""

    def __init__(self, label: str = ""):
        where = f" ({label})" if label else ""
        super().__init__(
            f"게시되었거나 폐지된 평가지표 버전{where}은 변경할 수 없습니다. "
            "새 초안으로 복제하여 수정하십시오."
        )


def _guarded_parents(model) -> list:
    """The foreign keys of ``model`` that point into a rubric version's tree (the version
    itself, or a guarded parent such as an item's indicator)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.many_to_one
        and hasattr(field.related_model, "FROZEN_VERSION_PATH")
        and field.related_model is not model
    ]


def _any_frozen(target_model, pks) -> bool:
    """Whether any of ``pks`` (rows of ``target_model``) is, or belongs to, a frozen version."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return False
    path = target_model.FROZEN_VERSION_PATH
    lookup = f"{path}__status__in" if path else "status__in"
    return target_model._base_manager.filter(pk__in=pks, **{lookup: FROZEN_STATUSES}).exists()


def _attaches_to_frozen(model, rows: list[dict]) -> bool:
    """Whether any row (``{attname: value}``) points a foreign key into a frozen version: a
    draft's item hung under a published indicator is a change to the published tree."""
    for field in _guarded_parents(model):
        values = [row[field.attname] for row in rows if field.attname in row]
        if values and _any_frozen(field.related_model, values):
            return True
    return False


def _fk_value(value):
    return getattr(value, "pk", value)


class FrozenGuardQuerySet(models.QuerySet):
    """Refuses bulk writes that touch a frozen rubric version.

    Each guarded model names the lookup from itself to ``RubricVersion`` in
    ``FROZEN_VERSION_PATH`` (``"version"``, ``"item__version"``, ``"scale__version"``, or ``""``
    for ``RubricVersion`` itself).
    """

    def _status_lookup(self) -> str:
        path = self.model.FROZEN_VERSION_PATH
        return f"{path}__status__in" if path else "status__in"

    def _touches_frozen(self) -> bool:
        return self.filter(**{self._status_lookup(): FROZEN_STATUSES}).exists()

    def update(self, **kwargs):
        if self.model is RubricVersion and RubricVersion.is_retirement(kwargs):
            return super().update(**kwargs)
        if self._touches_frozen():
            raise FrozenRubricError()
        targets = {}
        for field in _guarded_parents(self.model):
            for key in (field.name, field.attname):
                if key in kwargs:
                    targets[field.attname] = _fk_value(kwargs[key])
        if targets and _attaches_to_frozen(self.model, [targets]):
            raise FrozenRubricError()
        return super().update(**kwargs)

    update.queryset_only = True

    def delete(self):
        if self._touches_frozen():
            raise FrozenRubricError()
        return super().delete()

    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if objs and self.filter(pk__in=[o.pk for o in objs])._touches_frozen():
            raise FrozenRubricError()
        parents = {f.name for f in _guarded_parents(self.model)} & set(fields)
        if parents and _attaches_to_frozen(
            self.model,
            [
                {
                    self.model._meta.get_field(name).attname: getattr(
                        o, self.model._meta.get_field(name).attname
                    )
                    for name in parents
                }
                for o in objs
            ],
        ):
            raise FrozenRubricError()
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        version_ids = self.model.frozen_version_ids(objs) if objs else set()
        if (
            version_ids
            and RubricVersion.objects.filter(
                pk__in=version_ids, status__in=FROZEN_STATUSES
            ).exists()
        ):
            raise FrozenRubricError()
        if objs and _attaches_to_frozen(
            self.model,
            [
                {f.attname: getattr(o, f.attname) for f in _guarded_parents(self.model)}
                for o in objs
            ],
        ):
            raise FrozenRubricError()
        return super().bulk_create(objs, *args, **kwargs)


class FrozenGuardMixin(models.Model):
    """``save()``/``delete()`` guard for the children of a rubric version."""

    FROZEN_VERSION_PATH = "version"

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_not_frozen()
        own = self.FROZEN_VERSION_PATH.split("__")[0]  # the path just checked above
        parents = {
            f.attname: getattr(self, f.attname)
            for f in _guarded_parents(type(self))
            if f.name != own
        }
        if parents and _attaches_to_frozen(type(self), [parents]):
            raise FrozenRubricError(str(self))
        if self.pk is not None and not self._state.adding:
            # Moving a child out of a frozen version is a change to that version too.
            original = type(self)._base_manager.filter(pk=self.pk).first()
            if original is not None:
                original._check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_not_frozen()
        return super().delete(*args, **kwargs)

    def frozen_version_id(self) -> int | None:
        return self.version_id

    @classmethod
    def frozen_version_ids(cls, objs) -> set[int]:
        """The versions a batch of unsaved objects belongs to, in at most one query."""
        return {obj.version_id for obj in objs if obj.version_id is not None}

    def _check_not_frozen(self) -> None:
        version_id = self.frozen_version_id()
        if version_id is None:
            return
        status = (
            RubricVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()
        )
        if status in FROZEN_STATUSES:
            raise FrozenRubricError(str(self))


class Rubric(models.Model):
    """A rubric family, e.g. ``job-information-provider``."""

    code = models.SlugField(_("코드"), max_length=100, unique=True)
    title = models.CharField(_("제목"), max_length=300)

    class Meta:
        verbose_name = _("평가지표")
        verbose_name_plural = _("평가지표")
        ordering = ["code"]

    def __str__(self):
        return self.title


class RubricVersion(models.Model):
    FROZEN_VERSION_PATH = ""
    _RETIREMENT_FIELDS = frozenset({"status", "retired_at"})

    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, related_name="versions", verbose_name=_("평가지표")
    )
    version = models.CharField(_("버전"), max_length=50)
    title = models.CharField(_("제목"), max_length=300)
    # The certification programme a report cover, certificate and e-mail name (the format's
    # optional ``programme``); empty means the rubric's title.
    programme = models.CharField(_("인증 프로그램명"), max_length=300, blank=True)
    status = models.CharField(
        _("상태"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    total_points = models.DecimalField(_("총점"), **POINTS)
    rounding_places = models.PositiveSmallIntegerField(
        _("반올림 자릿수"), default=2, validators=[MaxValueValidator(6)]
    )
    rounding_mode = models.CharField(
        _("반올림 방식"), max_length=20, choices=RoundingMode.choices, default=RoundingMode.HALF_UP
    )
    # ``defaults.scoring`` of the interchange format, with numbers kept as strings.
    default_scoring = models.JSONField(_("기본 채점 방식"), null=True, blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        verbose_name = _("평가지표 버전")
        verbose_name_plural = _("평가지표 버전")
        ordering = ["rubric__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "version"], name="uniq_rubric_version"),
            models.CheckConstraint(
                condition=models.Q(total_points__gt=0), name="version_total_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", published_at__isnull=True)
                | ~models.Q(status="draft") & models.Q(published_at__isnull=False),
                name="version_published_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.rubric.code} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = RubricVersion._base_manager.filter(pk=self.pk).first()
            if stored is not None and stored.is_frozen:
                changed = {
                    f.attname: getattr(self, f.attname)
                    for f in self._meta.concrete_fields
                    if getattr(self, f.attname) != getattr(stored, f.attname)
                }
                if changed and not self.is_retirement(changed):
                    raise FrozenRubricError(str(stored))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = RubricVersion._base_manager.filter(pk=self.pk).values_list("status", flat=True)
        if stored.first() in FROZEN_STATUSES:
            raise FrozenRubricError(str(self))
        return super().delete(*args, **kwargs)

    @property
    def programme_name(self) -> str:
        """The programme a report cover, certificate or e-mail names: the document's
        ``programme``, else the rubric's title (issue 14, item 11)."""
        return self.programme or self.rubric.title

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @classmethod
    def is_retirement(cls, changes: dict) -> bool:
        return set(changes) <= cls._RETIREMENT_FIELDS and changes.get("status") == "retired"

    @classmethod
    def frozen_version_ids(cls, objs) -> set[int]:
        return set()  # a new version is always created as a draft

    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.rounding_places)


class GradeScale(FrozenGuardMixin):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="scales")
    name = models.SlugField(_("이름"), max_length=100)
    title = models.CharField(_("제목"), max_length=200)
    order = models.PositiveIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("등급 척도")
        verbose_name_plural = _("등급 척도")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="uniq_scale_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.title})"


class GradeLevel(FrozenGuardMixin):
    FROZEN_VERSION_PATH = "scale__version"

    scale = models.ForeignKey(GradeScale, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("등급 코드"), max_length=20)
    title = models.CharField(_("등급명"), max_length=100)
    ratio = models.DecimalField(
        _("비율"), **RATIO, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    order = models.PositiveIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("등급")
        verbose_name_plural = _("등급")
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="uniq_level_code"),
            models.CheckConstraint(
                condition=models.Q(ratio__gte=0, ratio__lte=1), name="level_ratio_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def frozen_version_id(self) -> int | None:
        if self.scale_id is None:
            return None
        return GradeScale.objects.filter(pk=self.scale_id).values_list("version_id", flat=True)[0]

    @classmethod
    def frozen_version_ids(cls, objs) -> set[int]:
        ids = {o.scale_id for o in objs if o.scale_id is not None}
        return set(GradeScale.objects.filter(pk__in=ids).values_list("version_id", flat=True))


class Area(FrozenGuardMixin):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("코드"), max_length=30)
    title = models.CharField(_("영역명"), max_length=300)
    points = models.DecimalField(_("배점"), **POINTS)
    order = models.PositiveIntegerField(_("순서"), default=0)
    # ``substitution`` of the interchange format: {certificates, award_ratio, note}.
    substitution = models.JSONField(_("대체 인정"), null=True, blank=True)

    class Meta:
        verbose_name = _("평가영역")
        verbose_name_plural = _("평가영역")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_area_code"),
            models.UniqueConstraint(fields=["version", "order"], name="uniq_area_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Indicator(FrozenGuardMixin):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="indicators")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("코드"), max_length=30)
    title = models.CharField(_("지표명"), max_length=300)
    points = models.DecimalField(_("배점"), **POINTS)
    order = models.PositiveIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("평가지표")
        verbose_name_plural = _("평가지표(지표)")
        ordering = ["area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_indicator_code"),
            models.UniqueConstraint(fields=["area", "order"], name="uniq_indicator_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Item(FrozenGuardMixin):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("코드"), max_length=30)
    title = models.CharField(_("항목명"), max_length=300)
    points = models.DecimalField(_("배점"), **POINTS)
    order = models.PositiveIntegerField(_("순서"), default=0)
    # The effective scoring: ``method`` plus its parameters (numbers as strings). When
    # ``inherits_default`` is set the item had no ``scoring`` of its own in the document and
    # follows ``RubricVersion.default_scoring``; export leaves its ``scoring`` out again.
    method = models.CharField(_("채점 방식"), max_length=20, choices=ScoringMethod.choices)
    params = models.JSONField(_("채점 매개변수"), default=dict, blank=True)
    inherits_default = models.BooleanField(_("기본 채점 방식 사용"), default=False)
    purpose = models.JSONField(_("평가목적 및 취지"), default=list, blank=True)
    evidence_hint = models.TextField(_("증빙 안내"), blank=True)

    class Meta:
        verbose_name = _("평가항목")
        verbose_name_plural = _("평가항목")
        ordering = ["indicator__area__order", "indicator__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_item_code"),
            models.UniqueConstraint(fields=["indicator", "order"], name="uniq_item_order"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(method="penalty"),
                name="item_points_nonnegative_unless_penalty",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="penalty") | models.Q(points__lte=0),
                name="item_penalty_points_nonpositive",
            ),
            models.CheckConstraint(
                condition=models.Q(method__in=["grade", "points", "bands", "penalty"]),
                name="item_method_known",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_penalty(self) -> bool:
        return self.method == ScoringMethod.PENALTY


class Checkpoint(FrozenGuardMixin):
    """One 착안사항 of an item, with its sub-points."""

    FROZEN_VERSION_PATH = "item__version"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="checkpoints")
    order = models.PositiveIntegerField(_("순서"), default=0)
    text = models.TextField(_("착안사항"))
    details = models.JSONField(_("세부 착안사항"), default=list, blank=True)

    class Meta:
        verbose_name = _("착안사항")
        verbose_name_plural = _("착안사항")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="uniq_checkpoint_order"),
        ]

    def __str__(self):
        return self.text[:50]

    def frozen_version_id(self) -> int | None:
        if self.item_id is None:
            return None
        return Item.objects.filter(pk=self.item_id).values_list("version_id", flat=True)[0]

    @classmethod
    def frozen_version_ids(cls, objs) -> set[int]:
        ids = {o.item_id for o in objs if o.item_id is not None}
        return set(Item.objects.filter(pk__in=ids).values_list("version_id", flat=True))
