"""Balanced assignment of evaluators to applications. Pure Python: no Django here.

The problem is a b-matching: each application needs ``needs[a]`` more evaluators, each
evaluator may take at most ``cap`` applications in the cycle (counting those they already
have, ``loads[e]``), and an evaluator may only go where ``eligible[a]`` allows (conflicts of
interest, exclusions and existing assignments are removed by the caller).

``balanced_plan`` returns a plan that fills as many seats as possible and, among those, makes
the evaluators' loads as even as possible: it is a minimum-cost maximum flow where giving an
evaluator their (k+1)-th application costs 2k+1, so the total cost is the sum of the squared
loads. The flow is grown one seat at a time along a shortest augmenting path (successive
shortest paths; every edge but the evaluator's own costs nothing, so a path's cost is the
marginal cost of the evaluator where it ends). A path may move a seat already planned for
evaluator X to evaluator Y, to free X for an application only X can take.

Deterministic: ties go to the evaluator with the smaller key, then to the first application
in the order given, so the same input always gives the same plan (the preview and the apply
steps rely on it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    # (application, evaluator) pairs to create, sorted in input order
    pairs: tuple[tuple[Hashable, Hashable], ...]
    # application -> seats that could not be filled
    shortfalls: Mapping[Hashable, int]
    # evaluator -> load after the plan (existing + new)
    loads: Mapping[Hashable, int]


def balanced_plan(
    *,
    applications: Sequence[Hashable],
    evaluators: Sequence[Hashable],
    needs: Mapping[Hashable, int],
    eligible: Mapping[Hashable, set],
    loads: Mapping[Hashable, int],
    cap: int,
) -> Plan:
    if cap < 0:
        raise ValueError("cap must be >= 0")
    order = {e: i for i, e in enumerate(evaluators)}
    load = {e: loads.get(e, 0) for e in evaluators}
    remaining = {a: max(0, needs.get(a, 0)) for a in applications}
    # adjacency: for each application the eligible evaluators in a fixed order
    adj = {
        a: sorted((e for e in eligible.get(a, ()) if e in order), key=order.get)
        for a in applications
    }
    planned: dict[Hashable, set] = {a: set() for a in applications}  # a -> evaluators
    holder: dict[Hashable, list] = {e: [] for e in evaluators}  # e -> applications planned

    while True:
        starts = [a for a in applications if remaining[a] > 0]
        if not starts:
            break
        path = _cheapest_path(starts, adj, planned, holder, load, cap, order)
        if path is None:
            break
        # path alternates a0, e0, a1, e1, ..., ak, ek: a_i gains e_i, a_{i+1} loses e_i
        apps, evs = path
        remaining[apps[0]] -= 1
        for i, e in enumerate(evs):
            a = apps[i]
            planned[a].add(e)
            holder[e].append(a)
            if i + 1 < len(apps):
                # e moves from apps[i + 1] to apps[i]; apps[i + 1] takes evs[i + 1] instead
                nxt = apps[i + 1]
                planned[nxt].discard(e)
                holder[e].remove(nxt)
        load[evs[-1]] += 1

    pairs = tuple((a, e) for a in applications for e in sorted(planned[a], key=order.get))
    return Plan(
        pairs=pairs,
        shortfalls={a: n for a, n in remaining.items() if n > 0},
        loads=dict(load),
    )


def _cheapest_path(starts, adj, planned, holder, load, cap, order):
    """Breadth-first over alternating paths from every application still short of seats.
    Returns (applications, evaluators) of a path ending at the least-loaded reachable
    evaluator with spare capacity, or None when no seat can be added."""
    free = [e for e in order if load[e] < cap]
    if not free:
        return None
    floor = min(load[e] for e in free)
    target = min((e for e in free if load[e] == floor), key=order.get)  # the best possible end
    parent_app: dict = {}  # evaluator -> application it was reached from
    parent_ev: dict = {}  # application -> evaluator it was reached through (None for a start)
    queue = deque()
    for a in starts:
        parent_ev[a] = None
        queue.append(a)
    best = None
    while queue:
        a = queue.popleft()
        for e in adj[a]:
            if e in parent_app or e in planned[a]:
                continue
            parent_app[e] = a
            if load[e] < cap:
                if best is None or (load[e], order[e]) < (load[best], order[best]):
                    best = e
                if e == target:
                    queue.clear()
                    break
            # e is busy elsewhere: try moving one of its planned seats
            for other in holder[e]:
                if other not in parent_ev:
                    parent_ev[other] = e
                    queue.append(other)
    if best is None:
        return None
    evs, apps = [best], []
    a = parent_app[best]
    while True:
        apps.append(a)
        via = parent_ev[a]
        if via is None:
            break
        evs.append(via)
        a = parent_app[via]
    apps.reverse()
    evs.reverse()
    return apps, evs
