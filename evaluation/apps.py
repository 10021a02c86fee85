from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("평가")

    def ready(self):
        # Visibility hooks and reminder sources for notices (evaluation/notices/, ADR 012).
        from . import notices

        notices.register()
        # The institution page's applications and 인증서, and its list filter (ADR 016).
        from . import institution_panels

        institution_panels.register()
        # Retention rules and "still needed" holds for purge_expired (ADR 016).
        from . import retention

        retention.register()
