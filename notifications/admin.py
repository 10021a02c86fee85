from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox page is where admins act (release); this is for inspection."""

    list_display = ("created_at", "event", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "event")
    search_fields = ("recipient__username", "recipient__email", "key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "email")
    list_filter = ("event", "email")
