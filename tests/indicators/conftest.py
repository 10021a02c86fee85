"""Shared helpers for the rubric tests: the seed document and the second (penalty) fixture."""

import copy
from pathlib import Path

import pytest

from indicators.interchange import parse_text
from operations.demo.rubric import SEED_RUBRIC

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PENALTY_RUBRIC = FIXTURES / "seoul-incentive-2013.yaml"

_SEED = parse_text(SEED_RUBRIC.read_bytes())
_PENALTY = parse_text(PENALTY_RUBRIC.read_bytes())


@pytest.fixture
def seed_doc() -> dict:
    """A fresh, mutable copy of the parsed seed rubric (1000 points, 19 items)."""
    return copy.deepcopy(_SEED)


@pytest.fixture
def penalty_doc() -> dict:
    """A fresh copy of the 2013 Seoul incentive rubric (40 points; bands, points, penalty)."""
    return copy.deepcopy(_PENALTY)


def item_of(doc: dict, code: str) -> dict:
    for area in doc["areas"]:
        for indicator in area["indicators"]:
            for item in indicator["items"]:
                if item["code"] == code:
                    return item
    raise KeyError(code)


def indicator_of(doc: dict, code: str) -> dict:
    for area in doc["areas"]:
        for indicator in area["indicators"]:
            if indicator["code"] == code:
                return indicator
    raise KeyError(code)


def area_of(doc: dict, code: str) -> dict:
    return next(area for area in doc["areas"] if area["code"] == code)
