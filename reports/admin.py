"""Django admin (a data-repair tool): reports and their download log are read-only here; files
leave only through the permission-checked download view."""

from django.contrib import admin

from .models import Report, ReportAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "attempts", "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "input_hash")
    exclude = ("inputs",)


@admin.register(ReportAccess)
class ReportAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "ip", "format", "report")
    list_select_related = ("user", "report")
