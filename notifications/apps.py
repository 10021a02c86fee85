from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """E-mail and in-app notices through an outbox (docs/decisions/012-notifications-outbox.md).

    This app knows nothing of ``evaluation``: other apps call ``services.notify`` and register
    visibility hooks (``policy``) and scheduled sources (``schedule``) in their ``ready()``.
    """

    name = "notifications"
    verbose_name = _("알림")
