"""Find Korean text a user would read on a page, outside what is marked as data.

Text inside an element with the HTML attribute ``translate="no"`` (user and rubric data:
names, titles, purposes, checkpoints, file names, comments -- docs/decisions/020-languages.md),
inside ``script``/``style``, and inside HTML comments is not interface text. Everything else --
text and the attributes a person reads or hears (title, aria-label, placeholder, alt, the value
of a submit button, confirmation prompts) -- must be English when the page is English.

A ``<title>`` or an attribute cannot hold a marked element, so data there (an institution's name
in the page title, in a button's aria-label) is recognised as a text that the same page shows
inside a ``translate="no"`` element, and removed before looking for Korean.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Hangul syllables and the compatibility jamo (ㄱ, ㅏ, ...).
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "hx-confirm", "data-confirm")
BUTTON_INPUTS = ("submit", "button", "reset")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
SKIPPED = {"script", "style", "template"}


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped: this element or an ancestor)
        self.found: list[str] = []
        self.data: set[str] = set()  # texts shown inside translate="no" elements

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (
            self.skipping
            or tag in SKIPPED
            or (attrs.get("translate") or "").strip().lower() == "no"
        )
        if not skipped:
            names = list(READ_ATTRIBUTES)
            if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS:
                names.append("value")
            for name in names:
                value = attrs.get(name) or ""
                if HANGUL.search(value):
                    self.found.append(f'<{tag} {name}="{value.strip()}">')
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if not self.skipping:
            if HANGUL.search(text):
                self.found.append(text)
        elif self.stack[-1][0] not in SKIPPED and len(text) >= 2:
            self.data.add(text)


def hangul_outside_data(html: str) -> list[str]:
    """The pieces of Korean interface text in ``html`` (each text node or attribute once)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    data = sorted(finder.data, key=len, reverse=True)
    found = []
    for text in dict.fromkeys(finder.found):
        rest = text
        for value in data:
            rest = rest.replace(value, "")
        if HANGUL.search(rest):
            found.append(text)
    return found
