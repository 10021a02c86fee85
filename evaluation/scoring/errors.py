"""The errors of ``evaluation.scoring``: every message is Korean and names the code."""

from __future__ import annotations

from collections.abc import Iterable


class ScoringError(ValueError):
    """Bad input to this module; the message is Korean and names the code and the numbers."""


class RubricError(ScoringError):
    """A rubric shape this module cannot score with."""


class EntryError(ScoringError):
    """An evaluator's entry that its item's scoring method refuses."""

    def __init__(self, code: str, problem: str):
        self.code, self.problem = code, problem
        super().__init__(f"{code}: {problem}")


class SheetError(ScoringError):
    """Sheets that cannot be aggregated; ``errors`` lists every problem found, all at once."""

    def __init__(self, errors: Iterable[str]):
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))
