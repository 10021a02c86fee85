"""Django admin for rubrics: a data-repair view for admins. Published and retired versions and
everything under them are read-only here too (and the model layer refuses any write anyway);
rubrics are edited in the product's own editor, on drafts."""

from django.contrib import admin

from .models import (
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    Rubric,
    RubricVersion,
)


def _version_of(obj):
    if obj is None:
        return None
    if isinstance(obj, RubricVersion):
        return obj
    if isinstance(obj, GradeLevel):
        return obj.scale.version
    if isinstance(obj, Checkpoint):
        return obj.item.version
    return obj.version


class FrozenReadOnlyAdmin(admin.ModelAdmin):
    """No change or delete on anything that belongs to a published or retired version."""

    def _frozen(self, obj) -> bool:
        version = _version_of(obj)
        return version is not None and version.is_frozen

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Parents offered on add/change forms are drafts' only: choosing a published one would
        be a write to a frozen version, which the model layer refuses (a 500 in admin)."""
        target = db_field.related_model
        path = getattr(target, "FROZEN_VERSION_PATH", None)
        if path is not None and target is not self.model:
            lookup = f"{path}__status" if path else "status"
            kwargs.setdefault("queryset", target._default_manager.filter(**{lookup: "draft"}))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("code", "title")
    search_fields = ("code", "title")


@admin.register(RubricVersion)
class RubricVersionAdmin(FrozenReadOnlyAdmin):
    list_display = ("rubric", "version", "title", "status", "total_points", "published_at")
    list_filter = ("status", "rubric")
    readonly_fields = ("status", "published_at", "retired_at", "cloned_from", "created_at")


@admin.register(GradeScale)
class GradeScaleAdmin(FrozenReadOnlyAdmin):
    list_display = ("version", "name", "title", "order")
    list_select_related = ("version__rubric",)


@admin.register(GradeLevel)
class GradeLevelAdmin(FrozenReadOnlyAdmin):
    list_display = ("scale", "code", "title", "ratio", "order")
    list_select_related = ("scale",)


@admin.register(Area)
class AreaAdmin(FrozenReadOnlyAdmin):
    list_display = ("version", "code", "title", "points", "order")
    list_filter = ("version",)
    list_select_related = ("version__rubric",)


@admin.register(Indicator)
class IndicatorAdmin(FrozenReadOnlyAdmin):
    list_display = ("version", "code", "title", "points", "order")
    list_filter = ("version",)
    list_select_related = ("version__rubric",)


@admin.register(Item)
class ItemAdmin(FrozenReadOnlyAdmin):
    list_display = ("version", "code", "title", "points", "method", "order")
    list_filter = ("version", "method")
    list_select_related = ("version__rubric",)
    search_fields = ("code", "title")


@admin.register(Checkpoint)
class CheckpointAdmin(FrozenReadOnlyAdmin):
    list_display = ("item", "order", "text")
    list_select_related = ("item",)
