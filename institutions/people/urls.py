from django.urls import path
from django.views.decorators.http import require_POST

from . import views_accounts as accounts
from . import views_admin as admin
from . import views_evaluators as evaluators

app_name = "people"

urlpatterns = [
    # anyone: registration, e-mail confirmation, invitations
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/register/sent/", accounts.register_sent, name="register_sent"),
    path("accounts/register/resend/", accounts.register_resend, name="register_resend"),
    path(
        "accounts/register/confirm/<str:token>/",
        accounts.register_confirm,
        name="register_confirm",
    ),
    path("accounts/invitation/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    path(
        "accounts/invitation/<str:token>/resend/",
        require_POST(accounts.invitation_resend),
        name="invitation_resend",
    ),
    # everyone logged in: their own page and the 열람 청구 download
    path("accounts/me/", accounts.account, name="account"),
    path("accounts/me/data.json", accounts.account_data, name="account_data"),
    # an institution's members
    path("people/members/", admin.members, name="members"),
    # admins
    path("people/registrations/", admin.registration_list, name="registration_list"),
    path("people/registrations/<int:pk>/", admin.registration_detail, name="registration_detail"),
    path(
        "people/registrations/<int:pk>/approve/",
        admin.registration_approve,
        name="registration_approve",
    ),
    path(
        "people/registrations/<int:pk>/reject/",
        admin.registration_reject,
        name="registration_reject",
    ),
    path("people/evaluators/", evaluators.evaluator_list, name="evaluator_list"),
    path("people/evaluators/<int:pk>/", evaluators.evaluator_detail, name="evaluator_detail"),
    path(
        "people/evaluators/<int:pk>/affiliations/",
        evaluators.affiliation_add,
        name="affiliation_add",
    ),
    path("people/log/", admin.people_log, name="people_log"),
    path("people/institutions/", admin.institution_list, name="institution_list"),
    path("people/institutions/import/", admin.institution_import, name="institution_import"),
    path(
        "people/institutions/import/confirm/",
        admin.institution_import_confirm,
        name="institution_import_confirm",
    ),
    path("people/institutions/<int:pk>/", admin.institution_detail, name="institution_detail"),
    path("people/institutions/<int:pk>/edit/", admin.institution_edit, name="institution_edit"),
    path("people/institutions/<int:pk>/sanctions/", admin.sanction_add, name="sanction_add"),
    path(
        "people/institutions/<int:pk>/invite/",
        admin.institution_invite,
        name="institution_invite",
    ),
    path(
        "people/memberships/<int:pk>/deactivate/",
        admin.member_deactivate,
        name="member_deactivate",
    ),
]
