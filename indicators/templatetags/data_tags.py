"""Marking user and rubric data in pages: it stays as written in every interface language.

Names, titles, purposes, checkpoints, file names and comments are data, not interface text;
``translate="no"`` tells browsers and translation tools so, and the English-page test skips such
elements when it looks for untranslated Korean (docs/decisions/020-languages.md).
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def as_data(value):
    """``value`` in a ``<span translate="no">``, for data inside translated text.

    Use it in ``{% blocktranslate with name=x|as_data %}``; not inside ``<title>`` or an
    attribute, where markup is not read.
    """
    return format_html('<span translate="no">{}</span>', value)
