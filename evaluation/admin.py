"""Django admin: a data-repair tool for admins. Logs are read-only; files are never served
from here (their bytes only leave through the permission-checked views)."""

from django import forms
from django.contrib import admin

from .models import (
    AggregationRule,
    Application,
    ApplicationTransition,
    Cycle,
    CycleAreaMinimum,
    CycleStageAdvance,
    CycleStageDate,
    EvidenceAccess,
    EvidenceFile,
    EvidenceReopening,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StageDateInline(admin.TabularInline):
    model = CycleStageDate
    extra = 0


class AreaMinimumInline(admin.TabularInline):
    model = CycleAreaMinimum
    extra = 0


class CycleAdminForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = "__all__"  # noqa: DJ007 -- the admin edits every field, as before

    def clean(self):
        """Switching a cycle to ``z_mean`` is refused while an evaluator has too few
        assignments to be standardised (ADR 005, "z_mean")."""
        data = super().clean()
        if (
            self.instance.pk
            and data.get("aggregation_rule") == AggregationRule.Z_MEAN
            and self.instance.aggregation_rule != AggregationRule.Z_MEAN
        ):
            from .services.z_mean import configuration_problems

            problems = configuration_problems(self.instance)
            if problems:
                self.add_error("aggregation_rule", problems)
        return data


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    form = CycleAdminForm
    list_display = ("title", "slug", "rubric_version", "stage", "evidence_deadline")
    readonly_fields = ("stage",)
    inlines = [StageDateInline, AreaMinimumInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("institution", "cycle", "status", "submitted_at")
    list_filter = ("cycle", "status")
    readonly_fields = ("status", "submitted_at", "evidence_open_until")

    def has_add_permission(self, request):
        # An application is made by the institution through ``application_create``, which
        # checks eligibility and records the transition; admin only repairs existing ones.
        return False


@admin.register(CycleStageAdvance)
class CycleStageAdvanceAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "from_stage", "to_stage", "advanced_by", "advanced_at")


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(ReadOnlyAdmin):
    list_display = ("application", "from_status", "to_status", "by", "at", "reason")


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "application", "kind", "size", "state", "uploaded_at")
    list_filter = ("state", "kind")
    exclude = ("storage_key",)


@admin.register(EvidenceReopening)
class EvidenceReopeningAdmin(ReadOnlyAdmin):
    list_display = ("application", "reopened_by", "reopened_at", "open_until", "reason")


@admin.register(EvidenceAccess)
class EvidenceAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "file", "purpose", "ip")
