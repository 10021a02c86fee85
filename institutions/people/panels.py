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
