from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Certificate, Institution, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("추가 정보", {"fields": ("name",)}))
    list_display = ("username", "name", "email", "is_active", "is_staff")


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
