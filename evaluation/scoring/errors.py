"""The errors of ``evaluation.scoring``: every message is Korean and names the code."""

from __future__ import annotations

from collections.abc import Iterable


class ScoringError(ValueError):
    """Bad input to this module; the message is Korean and names the code and the numbers."""


class RubricError(ScoringError):
    """A rubric shape this module cannot score with."""


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue (makemessages knows the name) without translating it:
    this package imports no Django. The caller translates ``EntryError.template``."""
    return message


class EntryError(ScoringError):
    """An evaluator's entry that its item's scoring method refuses. ``template`` and
    ``params`` let a caller show ``problem`` in another language; ``problem`` is Korean."""

    def __init__(self, code: str, template: str, params: dict | None = None):
        self.code, self.template, self.params = code, template, params or {}
        self.problem = template % self.params if params else template
        super().__init__(f"{code}: {self.problem}")


class SheetError(ScoringError):
    """Sheets that cannot be aggregated; ``errors`` lists every problem found, all at once."""

    def __init__(self, errors: Iterable[str]):
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))
