from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("access-log/", views.access_log, name="access_log"),
    path("cycles/<slug:slug>/", views.cycle_reports, name="cycle"),
    path("cycles/<slug:slug>/summary/", views.request_summary, name="request_summary"),
    path("cycles/<slug:slug>/batch/", views.request_batch, name="request_batch"),
    path("applications/<int:pk>/result/", views.request_result, name="request_result"),
    path("assignments/<int:pk>/sheet/", views.request_sheet, name="request_sheet"),
    path(
        "certifications/<int:pk>/",
        views.request_certification,
        name="request_certification",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
]
