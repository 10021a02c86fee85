"""The tally: the read side of results, written once (docs/decisions/018-one-tally.md).

It owns the rule "which sheets count" (``counted``, ``is_counted``), loading a cycle's sheets
for scoring, the cycle's rules, computing results (``compute``, ``ranks``) and a sheet's
canonical content and hash. The results service stores what it computes; the dashboard, the
result page, the reports, ``verify_results`` and the exports read through it.

It imports only the models, ``scoring``, ``adapters`` (and ``integrity`` for the keyed hash):
never services, queries or views, so every one of them may import it.
"""

from .compute import FIGURES, Computed, aggregate, compute, ranking_field, ranks
from .content import (
    SHEET_FORMAT,
    canonical_json,
    entry_text,
    sheet_canonical_content,
    sheet_content_hash,
    sheet_matches_seal,
)
from .rules import CycleRules, cycle_rules
from .sheets import (
    POINT_PLACES,
    CountedSheet,
    active_assignment,
    counted,
    counted_points,
    counted_sheets,
    counted_via_assignment,
    is_counted,
    load_sheets,
    own_sheet,
    scored_points,
    substituted_areas,
)

__all__ = [
    "FIGURES",
    "POINT_PLACES",
    "SHEET_FORMAT",
    "Computed",
    "CountedSheet",
    "CycleRules",
    "active_assignment",
    "aggregate",
    "canonical_json",
    "compute",
    "counted",
    "counted_points",
    "counted_sheets",
    "counted_via_assignment",
    "cycle_rules",
    "entry_text",
    "is_counted",
    "load_sheets",
    "own_sheet",
    "ranking_field",
    "ranks",
    "sheet_canonical_content",
    "sheet_content_hash",
    "scored_points",
    "sheet_matches_seal",
    "substituted_areas",
]
