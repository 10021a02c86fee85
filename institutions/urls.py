from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/roles/grant/", views.user_role_grant, name="user_role_grant"),
    path("<int:pk>/roles/revoke/", views.user_role_revoke, name="user_role_revoke"),
    path("<int:pk>/password-reset/", views.user_password_reset, name="user_password_reset"),
    path(
        "<int:pk>/second-factor-reset/",
        views.user_second_factor_reset,
        name="user_second_factor_reset",
    ),
]
