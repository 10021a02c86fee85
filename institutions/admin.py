from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import Certificate, Institution, Membership, User

# Fields only a superuser may change: the role and privilege flags (roles are granted through
# the audited ``user_grant_role``, on the 사용자·역할 page) and the e-mail a password-reset link
# goes to (editing it, then sending a reset, would hand over the account).
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "email")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django admin's user screens, narrowed for the 관리자 group (finding 1 of issue 15, ADR
    014): a non-superuser sees roles and flags read-only, cannot open another user's password
    form, and cannot change a superuser at all."""

    fieldsets = (*BaseUserAdmin.fieldsets, (_("추가 정보"), {"fields": ("name",)}))
    list_display = ("username", "name", "email", "is_active", "is_staff")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and obj is not None:
            fields += [f for f in SUPERUSER_ONLY_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied(
                _(
                    "다른 사용자의 비밀번호는 설정할 수 없습니다. 사용자·역할 화면에서 본인에게 "
                    "재설정 링크를 보내십시오."
                )
            )
        return super().user_change_password(request, id, form_url)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "business_number", "type", "registered_on", "sanctioned")
    search_fields = ("name", "business_number")
    inlines = [MembershipInline, CertificateInline]
