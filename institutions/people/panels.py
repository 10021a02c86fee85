"""Sections other apps add to an institution's admin page, without ``institutions`` importing
them (the arrows point one way: ``evaluation`` knows ``institutions``, never the reverse).

An app registers, in its ``AppConfig.ready``, a callable ``(institution, user) -> Panel | None``;
``evaluation`` registers the institution's applications (and, later, its 인증서).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render_all(institution, user) -> list[Panel]:
    return [p for p in (panel(institution, user) for panel in _PANELS) if p is not None]


@dataclass(frozen=True)
class ListFilter:
    """A filter of the admin's institution list that another app owns (e.g. the status of
    the 인증서 this programme issued, which lives in ``evaluation``)."""

    name: str  # the GET parameter
    label: str
    choices: tuple[tuple[str, str], ...]  # (value, label); "" (전체) is added
    apply: Callable  # (queryset of Institution, value) -> queryset


_FILTERS: dict[str, ListFilter] = {}


def register_filter(list_filter: ListFilter) -> ListFilter:
    _FILTERS[list_filter.name] = list_filter
    return list_filter


def list_filters() -> list[ListFilter]:
    return list(_FILTERS.values())
