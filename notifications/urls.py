from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/release/", views.release, name="release"),
]
