"""확정 freezes a cycle: its scores, sheets, results, decisions and exclusions refuse every
write path in the model layer (save, delete, queryset update/delete, bulk_create/bulk_update),
as published rubric versions do (ADR 011).

Each guarded model names ``CYCLE_PATH``, the lookup from it to its cycle. A new or changed row
is checked through its parent (one query); a queryset write through its own rows (one query).
Fixtures loaded raw (``restore``, ``loaddata``) bypass ``save()`` and are not refused.
"""

from django.db import models

FINAL = "final"


class FrozenCycleError(Exception):
    def __init__(self, label: str = ""):
        super().__init__(
            f"확정된 평가 주기의 자료는 추가·수정·삭제할 수 없습니다 ({label or '자료'})."
        )


def _label(model) -> str:
    return str(model._meta.verbose_name)


def _parent_is_final(model, objs) -> bool:
    """Whether any of ``objs`` (not yet saved, or saved) hangs under a cycle at 확정."""
    first, _, rest = model.CYCLE_PATH.partition("__")
    field = model._meta.get_field(first)
    ids = {getattr(obj, field.attname) for obj in objs} - {None}
    if not ids:
        return False
    if not rest:  # the parent is the cycle itself
        return field.related_model._base_manager.filter(pk__in=ids, stage=FINAL).exists()
    return field.related_model._base_manager.filter(
        pk__in=ids, **{f"{rest}__stage": FINAL}
    ).exists()


class CycleFreezeQuerySet(models.QuerySet):
    def _touches_final(self) -> bool:
        return self.filter(**{f"{self.model.CYCLE_PATH}__stage": FINAL}).exists()

    def update(self, **kwargs):
        if self._touches_final():
            raise FrozenCycleError(_label(self.model))
        return super().update(**kwargs)

    update.queryset_only = True

    def delete(self):
        if self._touches_final():
            raise FrozenCycleError(_label(self.model))
        return super().delete()

    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if objs and (
            _parent_is_final(self.model, objs)
            or self.model._base_manager.filter(
                pk__in=[o.pk for o in objs], **{f"{self.model.CYCLE_PATH}__stage": FINAL}
            ).exists()
        ):
            raise FrozenCycleError(_label(self.model))
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if objs and _parent_is_final(self.model, objs):
            raise FrozenCycleError(_label(self.model))
        return super().bulk_create(objs, *args, **kwargs)


class CycleFreezeMixin(models.Model):
    CYCLE_PATH = ""

    objects = CycleFreezeQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_not_frozen()
        return super().delete(*args, **kwargs)

    def check_not_frozen(self) -> None:
        if _parent_is_final(type(self), [self]):
            raise FrozenCycleError(_label(type(self)))
