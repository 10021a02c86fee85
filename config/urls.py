from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from institutions.forms import LoginForm
from institutions.people.views_password import PasswordResetView
from institutions.views import (
    GuardedPasswordChangeView,
    second_factor_setup,
    second_factor_verify,
    session_extend,
    session_status,
)

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        # wrong current passwords count as failed log-ins (issue 15, finding 4)
        GuardedPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset asked for by anyone (issue 19): rate-limited, never says who exists.
    path("accounts/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # A reset link an admin sent from the 사용자·역할 page (issue 15); Django's own views.
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("users/", include("institutions.urls")),
    # the idle time-out's warning asks how long is left, and extends (issue 15, finding 7)
    path("accounts/session/", session_status, name="session_status"),
    path("accounts/session/extend/", session_extend, name="session_extend"),
    # the second factor after the password (issue 15)
    path("accounts/2fa/", second_factor_verify, name="second_factor_verify"),
    path("accounts/2fa/setup/", second_factor_setup, name="second_factor_setup"),
    path("", include("institutions.people.urls")),
    path("rubrics/", include("indicators.urls")),
    path("", include("evaluation.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

# A database outage met in a middleware answers 503 too (see config/views.server_error).
handler500 = "config.views.server_error"
