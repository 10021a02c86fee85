"""Translatable messages for the pure modules (no Django): the rubric validator and readers,
the number parser, the file sniffers and the scoring entries build their refusals with ``_``.

``_`` looks the Korean message up in the active language once the ``indicators`` app has
installed Django's ``gettext`` (``IndicatorsConfig.ready``); before that, and in plain Python,
it returns the message unchanged. Use named placeholders and format after the lookup::

    _("'%(entry)s' 등급은 척도에 없습니다") % {"entry": entry}

so that the English catalogue sees one msgid with the same placeholders. makemessages finds
``_(...)`` calls in these modules like any gettext call. Never use it for text that is stored
or sealed (result reasons, audit rows): that must stay in the language it was recorded in.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str], str] = str


def install(translate: Callable[[str], str]) -> None:
    """Route ``_`` through ``translate`` (Django's ``gettext``)."""
    global _translate
    _translate = translate


def _(message: str) -> str:
    return _translate(message)
