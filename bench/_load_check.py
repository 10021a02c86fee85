"""What each simulated evaluator believes it saved (``bench/load.py``), and the check of it
against the database afterwards: lost, mismatched, and the audit trail's rows per version."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from _common import PYTHON, ROOT


@dataclass(frozen=True)
class Saved:
    version: int
    entry: str
    points: str
    strength: str
    improvement: str


class Evaluator:
    """One browser (its cookies are shared by its tabs) and its last successful saves."""

    def __init__(self, username: str, assignment: int, tabs: int):
        self.username, self.assignment, self.tabs = username, assignment, tabs
        self.cookies: dict[str, str] = {}
        self.logged_in = threading.Event()
        self.lock = threading.Lock()
        self.saved: dict[str, Saved] = {}
        self.uncertain: set[str] = set()  # a save whose answer never came

    def remember(self, code: str, saved: Saved) -> None:
        with self.lock:
            known = self.saved.get(code)
            if known is None or saved.version >= known.version:
                self.saved[code] = saved


DUMP = """
import json
import django
django.setup()
from django.db.models import Count
from evaluation.models import AuditAction, ItemScore, ScoreAudit
from evaluation.queries.sheet import entry_text, fmt_points
audits = {
    (r["sheet__assignment_id"], r["item__code"]): r["n"]
    for r in ScoreAudit.objects.filter(action=AuditAction.SAVE)
    .values("sheet__assignment_id", "item__code").annotate(n=Count("id"))
}
out = {}
for s in ItemScore.objects.select_related("sheet", "item").order_by():
    key = (s.sheet.assignment_id, s.item.code)
    out.setdefault(str(key[0]), {})[key[1]] = {
        "entry": entry_text(s), "points": fmt_points(s.points), "strength": s.strength,
        "improvement": s.improvement, "version": s.version, "audits": audits.get(key, 0),
    }
print(json.dumps(out))
"""


def same_entry(method: str, a: str, b: str) -> bool:
    if method == "grade" or not a or not b:
        return a == b
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def check(env: dict, evaluators: list[Evaluator], methods: dict[str, str]) -> dict[str, list]:
    import json

    out = subprocess.run(
        [PYTHON, "-c", DUMP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    stored = json.loads(out.stdout.strip().splitlines()[-1])
    problems: dict[str, list] = {"lost": [], "mismatched": [], "audit": [], "uncertain": []}
    for ev in evaluators:
        rows = stored.get(str(ev.assignment), {})
        for code, row in rows.items():
            if row["audits"] != row["version"]:
                problems["audit"].append(
                    f"{ev.username} {code}: version {row['version']}, {row['audits']} audit rows"
                )
        for code, saved in sorted(ev.saved.items()):
            row = rows.get(code)
            where = f"{ev.username} {code}"
            if row is None or row["version"] < saved.version:
                found = "no row" if row is None else f"version {row['version']}"
                problems["lost"].append(f"{where}: saved version {saved.version}, found {found}")
                continue
            if row["version"] > saved.version:
                kind = "uncertain" if code in ev.uncertain else "mismatched"
                problems[kind].append(
                    f"{where}: database at version {row['version']}, client last saved "
                    f"version {saved.version}"
                )
                continue
            diffs = [
                name
                for name, ok in (
                    ("entry", same_entry(methods[code], saved.entry, row["entry"])),
                    ("points", same_entry("points", saved.points.replace("—", ""), row["points"])),
                    ("strength", saved.strength == row["strength"]),
                    ("improvement", saved.improvement == row["improvement"]),
                )
                if not ok
            ]
            if diffs:
                problems["mismatched"].append(
                    f"{where} v{saved.version}: "
                    + ", ".join(f"{d} {getattr(saved, d)!r:.60} ≠ {row[d]!r:.60}" for d in diffs)
                )
    return problems
