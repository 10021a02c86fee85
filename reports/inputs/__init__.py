"""What each report shows, read from the evaluation models into plain JSON (the report's inputs).

A report is rendered from this snapshot only, so the snapshot is also what its content hash
covers: the same snapshot (and template version) gives the same document. Every number is a
string formatted for display; nothing here writes.

Each builder runs a constant number of queries, whatever the number of applications, items or
evaluators (``result_inputs_many`` builds a whole cycle's result reports at once). Which sheets
count and how they are aggregated is the tally's (``evaluation.tally``, ADR 018), never a copy
here.

- ``result``: the 결과보고서; ``sheet``: one evaluator's 평가표; ``summary``: the 집계표 with
  its reliability appendix; ``common``: formats, the rubric's tree, references.
"""

from evaluation.adapters import scoring_rubric  # noqa: F401 -- tests warm its cache through here

from .common import (
    HUNDREDTH,
    RubricTree,
    fmt,
    percent,
    places_of,
    rubric_tree,
    stage_reached,
)
from .result import cycle_area_averages, result_inputs, result_inputs_many
from .sheet import sheet_inputs
from .summary import distribution, reliability_inputs, scoring_rank, summary_inputs

__all__ = [
    "HUNDREDTH",
    "RubricTree",
    "cycle_area_averages",
    "distribution",
    "fmt",
    "percent",
    "places_of",
    "reliability_inputs",
    "result_inputs",
    "result_inputs_many",
    "rubric_tree",
    "scoring_rank",
    "sheet_inputs",
    "stage_reached",
    "summary_inputs",
]
