from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What runs the whole platform rather than one part of it: backup and restore of every
    app's rows and files (``backup``), and the demo data of every app (``demo``, command
    ``seed_demo``). See docs/decisions/019-module-layout.md.

    It sits above the four apps and ``notifications``: it imports them, none of them imports
    it. It has no models, URLs or templates.
    """

    name = "operations"
    verbose_name = _("운영")
