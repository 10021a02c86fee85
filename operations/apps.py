from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What runs the whole platform rather than one part of it: backup and restore of every
    app's rows and files (``backup``), and the demo data of every app (``demo``, command
    ``seed_demo``). See docs/decisions/019-module-layout.md.

    It sits above the four apps and ``notifications``: it imports them, none of them imports
    it. It has no models, URLs, templates or user-facing strings (so no verbose_name and no
    message catalogue).
    """

    name = "operations"
