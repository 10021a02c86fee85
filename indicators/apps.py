from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("평가지표")

    def ready(self):
        from django.utils.translation import gettext

        from . import messages

        messages.install(gettext)  # the pure modules' refusals follow the page's language
