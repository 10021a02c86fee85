from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("보고서")

    def ready(self):
        from celery.signals import worker_init

        from .signals import check_pdf_environment_at_worker_start

        worker_init.connect(check_pdf_environment_at_worker_start, weak=False)
