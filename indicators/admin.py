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
