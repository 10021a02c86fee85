from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("기관 및 사용자")

    def ready(self):
        from . import sessions  # noqa: F401 -- connects the idle time-out's log-in receiver
        from .signals import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="institutions.roles_sync")
