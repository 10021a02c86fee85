"""axe-core in the page, and what the accessibility suite makes of its results (ADR 021).

axe-core comes from the ``axe-playwright-python`` package, which ships ``axe.min.js``; it is
read from the installed package and evaluated in the page, never downloaded.

Only the WCAG 2.0/2.1 A and AA rules (KWCAG 2.2 is based on WCAG 2.1 AA) and axe's
best-practice rules run. A serious or critical violation of a WCAG rule fails the suite;
minor and moderate ones, and every best-practice finding, are reported in the terminal
summary so they can be driven to zero.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
TAGS = (*WCAG_TAGS, "best-practice")
FAILING_IMPACTS = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")
OPTIONS = {"runOnly": {"type": "tag", "values": list(TAGS)}, "resultTypes": ["violations"]}


# What axe does not check, on every page and state (ADR 021); returns what is wrong:
# - a chart (an SVG image made by the server, not a file under /static/) needs its numbers as
#   a table right after it (open or in a <details>), before the next heading;
# - a badge carries text (colour is never the only signal);
# - a poll (hx-trigger "every …") has a control that pauses it (data-poll-control, WCAG 2.2.2).
BEYOND_AXE = """() => {
  const problems = [];
  for (const img of document.querySelectorAll('img[src*=".svg"]:not([src^="/static/"])')) {
    let table = false;
    for (let next = img.nextElementSibling; next && !table; next = next.nextElementSibling) {
      if (/^H[1-6]$/.test(next.tagName)) { break; }
      table = next.matches("table") || next.querySelector("table") !== null;
    }
    if (!table) { problems.push("the chart " + img.getAttribute("src") + " has no table of its numbers"); }
  }
  for (const badge of document.querySelectorAll(".badge")) {
    if (!badge.textContent.trim()) { problems.push("a badge without text: " + badge.outerHTML.slice(0, 120)); }
  }
  for (const poll of document.querySelectorAll('[hx-trigger*="every"]')) {
    if (!poll.id || !document.querySelector('[data-poll-control="' + poll.id + '"]')) {
      problems.push("a poll the user cannot pause: " + poll.outerHTML.slice(0, 120));
    }
  }
  return problems;
}"""


@dataclass(frozen=True)
class Finding:
    where: str  # "manager ko /cycles/sec-2026/"
    rule: str
    impact: str
    wcag: bool  # a WCAG A/AA rule (else best-practice only)
    help: str
    targets: tuple[str, ...]
    summary: str

    @property
    def fails(self) -> bool:
        return self.wcag and self.impact in FAILING_IMPACTS

    def __str__(self):
        nodes = "; ".join(self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        kind = "" if self.wcag else " [best-practice]"
        return f"{self.where}: {self.rule} ({self.impact}{kind}) {self.help} — {nodes}\n    {self.summary}"


def axe_run(page, where: str) -> list[Finding]:
    """Run axe on what ``page`` shows now; one finding per violated rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate("options => axe.run(document, options)", OPTIONS)
    findings = []
    for violation in result["violations"]:
        nodes = violation["nodes"]
        findings.append(
            Finding(
                where=where,
                rule=violation["id"],
                impact=violation["impact"] or "minor",
                wcag=bool(set(violation["tags"]) & set(WCAG_TAGS)),
                help=violation["help"],
                targets=tuple(" ".join(map(str, n["target"])) for n in nodes),
                summary=(nodes[0].get("failureSummary") or "").replace("\n", " ")[:300],
            )
        )
    return findings


def failure_report(failing: list[Finding]) -> str:
    """The failing findings grouped by rule: each rule once, with the pages it was found on."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in failing:
        by_rule[finding.rule].append(finding)
    lines = [f"{len(failing)} serious or critical violations of WCAG rules:"]
    for rule, found in by_rule.items():
        first = found[0]
        pages = ", ".join(f.where.split(" ", 2)[2] for f in found[:6])
        more = f" and {len(found) - 6} more" if len(found) > 6 else ""
        lines.append(f"- {rule} ({first.impact}) on {len(found)} pages: {pages}{more}")
        lines.append(f"  e.g. {first}")
    return "\n".join(lines)


@dataclass
class Tally:
    """Every finding of the session, for the terminal summary."""

    findings: list[Finding] = field(default_factory=list)
    pages: Counter = field(default_factory=Counter)  # (role, lang) -> pages checked
    skipped: list[str] = field(default_factory=list)  # non-HTML or fragment responses
    seconds: float = 0.0

    def by_role(self) -> dict[tuple[str, str], Counter]:
        """(role, language) -> impact -> violations (a rule violated on a page counts once;
        ``<impact> nodes`` counts the elements)."""
        table: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for key in self.pages:
            table[key]  # noqa: B018 -- a row for every role checked, even with no finding
        for f in self.findings:
            role, lang = f.where.split(" ")[:2]
            table[role, lang][f.impact] += 1
            table[role, lang][f"{f.impact} nodes"] += len(f.targets)
        return table


TALLY = Tally()
