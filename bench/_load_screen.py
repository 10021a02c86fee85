"""The load test's browser screen (``bench/load.py``): one item form of the score sheet as
the browser holds it, read from the page, and random valid entries and comments to type in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

ENTRY_FIELD = {"grade": "grade", "points": "value", "bands": "value", "penalty": "count"}
COMMENT_BITS = [
    "평가 기준에 맞게 운영되고 있음",
    "구인·구직 정보의 갱신 주기가 짧음",
    "개선 계획이 구체적이지 않음",
    "증빙 <자료> & '근거'가 \"충분\"함",
    "상담 인력 1인당 처리 건수: 37.5건",
    "👍 우수 사례",
    "line one\r\nline two",
    "",
]


@dataclass
class Form:
    code: str
    method: str
    max_points: Decimal
    step: Decimal = Decimal(1)
    bands: list[Decimal] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    csrf: str = ""
    entry: str = ""
    strength: str = ""
    improvement: str = ""
    version: int = 0


class SheetParser(HTMLParser):
    """The sheet page's item forms (``form[data-sheet-item]``) and what their fields hold."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, Form] = {}
        self.form: Form | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-sheet-item" in a:
            bands = [
                Decimal(pair.split(":")[0])
                for pair in (a.get("data-bands") or "").split(";")
                if pair
            ]
            self.form = Form(
                code=a["data-sheet-item"],
                method=a["data-method"],
                max_points=Decimal(a["data-points"]),
                step=Decimal(a.get("data-step") or "1"),
                bands=bands,
            )
            self.forms[self.form.code] = self.form
        elif self.form is None:
            return
        elif tag == "input":
            name, value = a.get("name"), a.get("value") or ""
            if name == "csrfmiddlewaretoken":
                self.form.csrf = value
            elif name == "version":
                self.form.version = int(value)
            elif name == "grade":
                self.form.grades.append(value)
                if "checked" in a:
                    self.form.entry = value
            elif name in ("value", "count"):
                self.form.entry = value
        elif tag == "textarea":
            self.textarea = a.get("name")
            setattr(self.form, self.textarea, "")

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            setattr(self.form, self.textarea, getattr(self.form, self.textarea) + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.form = None


def parse_sheet(html: bytes) -> dict[str, Form]:
    parser = SheetParser()
    parser.feed(html.decode())
    return parser.forms


def decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def random_entry(form: Form, rng: random.Random) -> str:
    """A valid entry for the item's method (sometimes none: the evaluator cleared it)."""
    if rng.random() < 0.05:
        return ""
    if form.method == "grade":
        return rng.choice(form.grades)
    if form.method == "points":
        return decimal_text(form.step * rng.randint(0, int(form.max_points / form.step)))
    if form.method == "bands":
        top = max(form.bands, default=Decimal(100)) * Decimal("1.5")
        return decimal_text(Decimal(rng.randint(0, int(top * 10))) / 10)
    return str(rng.randint(0, 5))  # penalty: a count of cases


def random_comment(rng: random.Random, tag: str) -> str:
    if rng.random() < 0.1:
        return ""
    bits = rng.sample(COMMENT_BITS, rng.randint(1, 3))
    return f"{tag} " + " ".join(bits) + (" 추가 의견" * rng.randint(0, 40))
