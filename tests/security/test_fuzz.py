"""Fuzzing the upload and score endpoints with Hypothesis, as the users allowed to use them.

Whatever a member posts to the evidence upload, or the assigned evaluator to autosave / save /
확정 (and an admin to 확정 해제) -- control characters (NUL, CR, U+202E, lone surrogates sent
as raw bytes), huge, negative and non-finite numbers ("NaN", "-inf", "1e309"), numbers with
many decimals, thousands separators or full-width digits, 100k-character comments, mixed
scripts, odd file names, empty files, wrong content types, missing and extra fields -- the
answer is never a 500:

- a refusal is a handled 4xx carrying a Korean message, and it changes nothing: no score, no
  sheet state, no audit row, no stored file, no temporary file left behind;
- input that is in fact valid is accepted (2xx, or the no-JS form's redirect) and leaves exactly
  what it should: one audit row per change, one stored file per uploaded file.

Each request is judged against a small reference model of the rules written here, independently
of the services: which entries an item's scoring method accepts, which file names are refused.

Every example runs in a savepoint that is rolled back (and the storage is emptied after it), so
the function-scoped fixtures -- users, rubric, assignment, the scores saved before -- are the same
for every example; that is why the function-scoped-fixture health check is suppressed.
"""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.http.multipartparser import MultiPartParser
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from evaluation.models import Evidence, EvidenceFile, ItemScore, ScoreAudit, Sheet, SheetStatus
from evaluation.services.sheet import score_snapshot
from indicators.models import Item

from ..conftest import PASSWORD
from ..evaluation import files as F
from ..evaluation.sheet_data import fill, mixed_rubric

pytestmark = pytest.mark.django_db

FUZZ = hsettings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def rubric_version(db):
    """Grade items, and A.1.2 points (0~10, step 0.5), A.1.3 bands (%), A.1.4 a penalty."""
    return mixed_rubric()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """This module uses the suite's personas and per-test media dir (tests/conftest.py), not
    the shared world of the other security tests (tests/security/conftest.py)."""
    media = tmp_path / "media"
    upload_tmp = tmp_path / "upload-tmp"
    upload_tmp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_tmp)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": None},
        },
    }
    return media


@contextmanager
def _rolled_back():
    """One example: whatever it writes is undone before the next one."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _korean(text: str) -> bool:
    return bool(HANGUL.search(text))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _as_received(value: str) -> str:
    """What Django hands the view for ``value`` sent as UTF-8 (lone surrogates cannot be
    UTF-8: they travel as their raw bytes and arrive as U+FFFD)."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


# --- strategies: the text, numbers and names users (or attackers) send -----------------------

CONTROL = [
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x01",
    "\x08",
    "\x1b",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200e",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u2028",
    "\ufffe",
    "\U000e0001",
]
SURROGATES = ["\ud800", "\udfff", "\udc80"]
SCRIPTS = [
    "평가 의견",
    "한빛잡정보",
    "Evaluation",
    "مرحبا بالعالم",
    "שלום",
    "😀👍🏽",
    "👩‍👩‍👧",
    "e\u0301",
    "a\u0325\u0338",
    "가\u0301",
    "\u1100\u1161",
    "１２３",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u3000",
    "<script>alert(1)</script>",
    "'; DROP TABLE evaluation_itemscore; --",
    "{{ request.user }}",
    "%s%n%x",
]

fragments = st.one_of(
    st.sampled_from(CONTROL),
    st.sampled_from(SURROGATES),
    st.sampled_from(SCRIPTS),
    st.text(max_size=6),
)
nasty_text = st.lists(fragments, max_size=8).map("".join)
long_text = st.builds(
    lambda unit, n: unit * n,
    st.sampled_from(["가", "a", "😀", "e\u0301", "\r\n", "\x00"]),
    st.sampled_from([3999, 4000, 4001, 20_000, 100_000]),
)
comments = st.one_of(
    st.just(""), st.sampled_from(SCRIPTS), st.sampled_from(SCRIPTS), nasty_text, long_text
)

FULL_WIDTH = str.maketrans("0123456789.-+,", "０１２３４５６７８９．－＋，")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
odd_numbers = st.sampled_from(
    [
        "NaN",
        "nan",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "-inf",
        "1e309",
        "-1e309",
        "1e999999",
        "1e1000000",
        "1E+999999999",
        "1e-999999999",
        "0e999999999",
        "1e5000",
        "1" * 64,
        "1" * 5000,
        "1,000",
        "1,0.5",
        "7.5",
        "7.50000000000000000000",
        "7.5000000000000000000000000000000000000000000000000000000000000000001",
        "0.0001",
        "0.00001",
        "999999999999.9999",
        "99999999999.9999",
        "123456789012.3456",
        "1000000000000",
        "2000000000",
        "2000000001",
        "1_0",
        "+5",
        "-0",
        "0x10",
        "½",
        "²",
        "Ⅷ",
        " 8 ",
        "\u30008\u3000",
        "8\x00",
        "\x008",
        "8\u202e",
        "",
    ]
)
numbers = st.one_of(
    odd_numbers,
    st.integers(min_value=-(10**80), max_value=10**80).map(str),
    st.integers(min_value=-5, max_value=120).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.builds(
        lambda whole, digits: f"{whole}.{digits}",
        st.integers(min_value=0, max_value=100),
        st.text("0123456789", min_size=1, max_size=80),
    ),
    st.integers(min_value=0, max_value=10**15).map(lambda n: f"{n:,}"),
    st.decimals(min_value=-1000, max_value=1000, places=2).map(
        lambda d: str(d).translate(FULL_WIDTH)
    ),
    st.integers(min_value=0, max_value=10**6).map(lambda n: str(n).translate(ARABIC_INDIC)),
)
grades = st.sampled_from(
    ["S", "A", "B", "C", "D", "a", " A ", "A\x00", "S+", "Ａ", "E", "우수", "", "AB", "\u202eA"]
)
valid_entries = st.one_of(  # valid for some of the items, so that saves go through too
    st.sampled_from(["S", "A", "B", "C", "D", ""]),
    st.integers(min_value=0, max_value=20).map(lambda n: str(Decimal(n) / 2)),
    st.decimals(min_value=-100, max_value=200, places=4).map(str),
)
entries = st.one_of(valid_entries, valid_entries, grades, numbers, nasty_text)
versions = st.one_of(
    st.just("stored"),
    st.just("stored"),
    st.just("stored"),
    st.sampled_from(["", "-1", "x", "1.0", "１", "٢", " 1 ", "+1", "1_0", "NaN", "9" * 5000]),
    st.integers(min_value=-3, max_value=10**20).map(str),
)
extra_fields = st.dictionaries(
    st.sampled_from(["csrfmiddlewaretoken", "version2", "item", "points", "id", "이름", "a[]"]),
    nasty_text,
    max_size=3,
)


# --- the reference model of the sheet's rules ------------------------------------------------

CODES = ("A.1.1", "A.1.2", "A.1.3", "A.1.4", "B.1.1")
METHOD = {"A.1.2": "points", "A.1.3": "bands", "A.1.4": "penalty"}
FIELD = {"grade": "grade", "points": "value", "bands": "value", "penalty": "count"}
GRADE_POINTS = {"S": 10, "A": 8, "B": 6, "C": 4, "D": 2}
BANDS = ((95, 10), (80, 8), (50, 4))
COMMENT_LIMIT = 4000
COUNT_LIMIT = 2_000_000_000
VALUE_LIMIT = Decimal(10) ** 11  # 15 significant digits with the 4 places: what SQLite keeps


class Refused(Exception):
    pass


# The strict form (issue 14): "." decimals, "," only between thousands, no exponent; none of
# the quantities scored here may be negative, so no sign either.
STRICT_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def _number(text: str) -> Decimal:
    if not STRICT_NUMBER.fullmatch(text):
        raise Refused
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise Refused from None
    if not number.is_finite():
        raise Refused
    return number


def reference_points(method: str, entry: str) -> Decimal | None:
    """The points an entry gives, None for "no entry", or ``Refused``."""
    text = entry.strip()
    if not text:
        return None
    if method == "grade":
        if text not in GRADE_POINTS:
            raise Refused
        return Decimal(GRADE_POINTS[text])
    if method == "penalty":
        count = _number(text)
        if count < 0 or count != count.to_integral_value() or count > COUNT_LIMIT:
            raise Refused
        return max(Decimal(-10), -3 * count)
    value = _number(text)
    if abs(value) >= VALUE_LIMIT or value != value.quantize(Decimal("0.0001")):
        raise Refused
    if method == "bands" and value > 100:  # a percentage: 0-100 is plausible
        raise Refused
    if method == "bands":
        return next((Decimal(p) for low, p in BANDS if value >= low), Decimal(0))
    if not 0 <= value <= 10 or value % Decimal("0.5"):
        raise Refused
    return value


def comment_ok(text: str) -> bool:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\x00" not in normalised and len(normalised) <= COMMENT_LIMIT


def version_sent(text: str) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number >= 0 else None


# --- score autosave / save -------------------------------------------------------------------


@dataclass
class ScorePost:
    code: str = "A.1.1"
    entry: str = "A"
    strength: str = "근거가 충분함"
    improvement: str = ""
    version: str = "stored"
    htmx: bool = True
    multipart: bool = False
    entry_field: str = "right"  # "right", "wrong" or "missing"
    omit: frozenset = frozenset()
    extra: dict = field(default_factory=dict)


score_posts = st.builds(
    ScorePost,
    code=st.sampled_from(CODES),
    entry=entries,
    strength=st.one_of(st.sampled_from(SCRIPTS), comments),
    improvement=st.one_of(st.just(""), comments),
    version=versions,
    htmx=st.booleans(),
    multipart=st.booleans(),
    entry_field=st.sampled_from(["right", "right", "right", "wrong", "missing"]),
    omit=st.one_of(
        st.just(frozenset()), st.frozensets(st.sampled_from(["strength", "improvement", "version"]))
    ),
    extra=extra_fields,
)


def _form_body(data: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded, with lone surrogates as their raw bytes."""
    return "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in data.items()
    ).encode()


def _send_form(client, url, data: dict[str, str], *, multipart: bool, headers=None):
    sendable = all(not any(s in v for s in SURROGATES) for v in data.values())
    if multipart and sendable:
        return client.post(url, data, headers=headers or {})
    return client.post(
        url,
        _form_body(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers or {},
    )


@pytest.fixture
def sheet_in_progress(cleared_assignment):
    """A draft sheet: A.1.1-A.1.4 saved once (version 1), B.1.1 and the rest never saved."""
    version_id = cleared_assignment.application.cycle.rubric_version_id
    others = set(Item.objects.filter(version_id=version_id).values_list("code", flat=True))
    fill(cleared_assignment, skip=others - set(CODES[:4]))
    assert sorted(ItemScore.objects.values_list("item__code", flat=True)) == list(CODES[:4])
    return cleared_assignment


@pytest.fixture
def filled(cleared_assignment):
    """Every item scored, with a comment: ready for 확정."""
    fill(cleared_assignment)
    return cleared_assignment


@pytest.fixture
def confirmed(filled):
    from evaluation.services.sheet import sheet_confirm

    sheet_confirm(assignment=filled, by=filled.evaluator, password=PASSWORD)
    return filled


def _sheet_state():
    return (
        sorted(
            ItemScore.objects.values_list(
                "item__code",
                "grade",
                "value",
                "count",
                "points",
                "strength",
                "improvement",
                "version",
            )
        ),
        sorted(Sheet.objects.values_list("pk", "status", "confirmed_at", "content_hash")),
        ScoreAudit.objects.count(),
    )


def _stored(code: str) -> ItemScore | None:
    return ItemScore.objects.filter(item__code=code).first()


@FUZZ
@given(post=score_posts)
# Regressions: a penalty count too large for the exact decimal context, or too long to print,
# was a 500 (decimal.Overflow / decimal.Inexact / ValueError) before entry_parse bounded it.
@example(post=ScorePost(code="A.1.4", entry="1e1000000"))
@example(post=ScorePost(code="A.1.4", entry="1" * 64))
@example(post=ScorePost(code="A.1.4", entry="1e5000"))
@example(post=ScorePost(code="A.1.4", entry="1e5000", htmx=False))
# Not regressions, the edges of the rules: the same values again (no new version, no audit
# row), a lone surrogate, 100k characters, full-width digits, a thousands separator.
@example(post=ScorePost())
@example(post=ScorePost(code="A.1.1", strength="\ud800 의견"))
@example(post=ScorePost(code="A.1.2", entry="７．５", improvement="가" * 100_000))
@example(post=ScorePost(code="A.1.3", entry="1,000", strength="\x00"))
# Regression: on SQLite (15 significant digits) a 16-digit value came back as 1E+12, which no
# longer fits DECIMAL(16, 4): the save answered 500 and every later read of the row failed.
@example(post=ScorePost(code="A.1.3", entry="999999999999.9999"))
@example(post=ScorePost(code="A.1.3", entry="99999999999.9999"))
def test_score_save_never_fails_and_a_refusal_changes_nothing(client_for, sheet_in_progress, post):
    assignment = sheet_in_progress
    method = METHOD.get(post.code, "grade")
    with _rolled_back():
        before_row = _stored(post.code)
        stored_version = before_row.version if before_row else 0
        data = dict(post.extra)
        if "version" not in post.omit:
            data["version"] = str(stored_version) if post.version == "stored" else post.version
        entry_name = FIELD[method]
        if post.entry_field == "wrong":
            entry_name = "grade" if method != "grade" else "count"
        if post.entry_field != "missing":
            data[entry_name] = post.entry
        for name in ("strength", "improvement"):
            if name not in post.omit:
                data[name] = getattr(post, name)
        received = {k: _as_received(v) for k, v in data.items()}

        before = _sheet_state()
        url = reverse("evaluation:score_save", args=[assignment.pk, post.code])
        headers = {"HX-Request": "true"} if post.htmx else {}
        response = _send_form(
            client_for(assignment.evaluator), url, data, multipart=post.multipart, headers=headers
        )
        after = _sheet_state()

        # What the rules say should happen.
        version = version_sent(received.get("version", ""))
        try:
            if version is None:
                raise Refused
            points = reference_points(method, received.get(FIELD[method], ""))
            if not all(comment_ok(received.get(n, "")) for n in ("strength", "improvement")):
                raise Refused
            expected = 409 if version != stored_version else 200
        except Refused:
            expected, points = 422, None

        event(f"{method}: {expected}")
        text = _text(response)
        if post.htmx:
            assert response.status_code == expected, (response.status_code, text[:300])
        else:
            assert response.status_code == 302, response.status_code
            assert response["Location"].endswith(f"#item-{post.code}")
        said = " ".join(_messages(response)) if not post.htmx else text
        if expected != 200:
            assert after == before, "a refused save changed the sheet"
            assert _korean(said), said[:300]
            assert ("다른 창(탭)에서" if expected == 409 else f"{post.code}:") in said, said[:300]
            return

        row = _stored(post.code)
        assert row is not None and row.points == points
        assert row.strength == received.get("strength", "").replace("\r\n", "\n").replace(
            "\r", "\n"
        )
        assert ("✔" if post.htmx else f"{post.code} 항목을 저장했습니다.") in said
        if after[0] == before[0]:  # the same values again: nothing to record
            event("no-op save")
            assert after[2] == before[2]
            return
        assert after[2] == before[2] + 1
        audit = ScoreAudit.objects.order_by("pk").last()
        assert (audit.action, audit.item.code) == ("save", post.code)
        assert audit.actor == assignment.evaluator
        assert audit.old == score_snapshot(before_row)
        assert audit.new == score_snapshot(row)
        assert row.version == stored_version + 1


# --- 확정 (the evaluator signs with the password) and 확정 해제 (admin) ------------------------


@dataclass
class ConfirmPost:
    password: str = PASSWORD
    extra: dict = field(default_factory=dict)
    multipart: bool = True
    complete: bool = True


passwords = st.one_of(
    st.just(PASSWORD),
    st.sampled_from(
        [
            "",
            " " + PASSWORD,
            PASSWORD + " ",
            PASSWORD + "\x00",
            PASSWORD.upper(),
            PASSWORD + "\ud800",
            "\u202e" + PASSWORD,
            PASSWORD.translate(FULL_WIDTH),
        ]
    ),
    nasty_text,
    long_text,
)


@FUZZ
@given(
    post=st.builds(
        ConfirmPost,
        password=passwords,
        extra=extra_fields,
        multipart=st.booleans(),
        complete=st.booleans(),
    )
)
@example(post=ConfirmPost())
@example(post=ConfirmPost(password=PASSWORD + "\x00", extra={"이름": "\x00\ud800"}))
def test_confirm_never_fails_and_a_refusal_changes_nothing(client_for, filled, post):
    url = reverse("evaluation:sheet_confirm", args=[filled.pk])
    with _rolled_back():
        if not post.complete:
            ItemScore.objects.filter(item__code="B.1.2").delete()
        before = _sheet_state()
        data = {**post.extra, "password": post.password}
        response = _send_form(client_for(filled.evaluator), url, data, multipart=post.multipart)
        text = _text(response)
        if post.complete and _as_received(post.password) == PASSWORD:
            assert response.status_code == 302, text[:300]
            assert Sheet.objects.get().status == SheetStatus.CONFIRMED
            assert _sheet_state()[2] == before[2] + 1
            assert ScoreAudit.objects.order_by("pk").last().action == "confirm"
            return
        assert response.status_code == 400, (response.status_code, text[:300])
        assert _sheet_state() == before
        if post.complete:
            assert "비밀번호가 맞지 않아 확정하지 않았습니다." in text
        else:
            assert "입력이 끝나지 않은 항목이 1개 있어 확정하지 않았습니다." in text


reasons = st.one_of(st.sampled_from(["재검토 요청", " ", "", "\x00", "A.1.1 재검토\x00"]), comments)


@FUZZ
@given(reason=reasons, multipart=st.booleans())
# Regression: a reason with NUL was stored as is; PostgreSQL refuses NUL in text (a 500).
@example(reason="재검토\x00", multipart=False)
def test_unlock_never_fails_and_a_refusal_changes_nothing(
    client_for, confirmed, admin_user, reason, multipart
):
    url = reverse("evaluation:sheet_unlock", args=[confirmed.pk])
    with _rolled_back():
        before = _sheet_state()
        response = _send_form(client_for(admin_user), url, {"reason": reason}, multipart=multipart)
        assert response.status_code == 302
        said = " ".join(_messages(response))
        assert _korean(said), said
        wanted = _as_received(reason).strip()
        if wanted and "\x00" not in wanted and len(wanted) <= COMMENT_LIMIT:
            assert Sheet.objects.get().status == SheetStatus.DRAFT
            audit = ScoreAudit.objects.order_by("pk").last()
            assert (audit.action, audit.reason) == ("unlock", wanted)
            assert _sheet_state()[2] == before[2] + 1
        else:
            assert _sheet_state() == before


# --- evidence upload -------------------------------------------------------------------------

BUILDERS = {
    "pdf": F.pdf_bytes,
    "hwp": F.hwp_bytes,
    "hwpx": F.hwpx_bytes,
    "docx": F.docx_bytes,
    "xlsx": F.xlsx_bytes,
    "pptx": F.pptx_bytes,
    "jpg": lambda text: F.jpg_bytes(len(text)),
    "png": lambda text: F.png_bytes(len(text)),
}
BAD_CONTENT = {
    "empty": b"",
    "exe": F.EXE_BYTES,
    "html": F.HTML_SCRIPT,
    "svg": F.SVG_BYTES,
    "zip": F.PLAIN_ZIP,
    "doc": F.ole_doc_bytes(),
    "truncated-pdf": F.pdf_bytes()[:-40],
    "text": "평가 증빙\r\n".encode() * 20,
}
PART_TYPES = [
    "application/octet-stream",
    "application/pdf",
    "text/html",
    "image/svg+xml",
    "application/x-msdownload",
    "text/plain; charset=utf-16",
    "multipart/mixed; boundary=inner",
    "",
]
SAFE_STEMS = st.lists(
    st.sampled_from(
        ["운영계획서", "report", "2026", " ", "-", "_", "(1)", "😀", "مرحبا", "e\u0301", "ａｂｃ"]
    ),
    min_size=1,
    max_size=5,
).map("".join)


@dataclass
class Part:
    name: str = "보고서.pdf"
    content: str = "pdf"  # a BUILDERS key (a real file), a BAD_CONTENT key, or "random"
    random_bytes: bytes = b""
    field_name: str = "files"
    content_type: str = "application/octet-stream"
    raw_header: bool = False  # the name as raw bytes in the header (not RFC 2231-encoded)
    text: str = "evidence"

    def data(self) -> bytes:
        if self.content in BUILDERS:
            return BUILDERS[self.content](self.text)
        if self.content in BAD_CONTENT:
            return BAD_CONTENT[self.content]
        return self.random_bytes


def _valid_name(kind: str):
    return st.builds(
        lambda stem, ext: f"{stem.strip() or 'x'}.{ext}",
        SAFE_STEMS,
        st.sampled_from([kind, kind.upper()] + (["jpeg"] if kind == "jpg" else [])),
    )


def _odd_name():
    return st.one_of(
        st.sampled_from(
            [
                "",
                ".",
                "..",
                ".pdf",
                "..pdf",
                "../../etc/passwd.pdf",
                "..\\boot.pdf",
                "C:\\evil.pdf",
                "a/",
                "&#47;.pdf",
                "evil\x00.pdf",
                "보고서\u202efdp.exe",
                "보고서.pdf\u200b",
                "보고서.pdf ",
                "보고서.PDF",
                "보고서.pdf.exe",
                "보고서",
                "con.pdf",
                "가" * 252 + ".pdf",
                "가" * 296 + ".pdf",
                "a" * 251 + ".pdf",
                "a" * 5000 + ".pdf",
                "\ud800.pdf",
                '"quoted".pdf',
                "semi;colon=.pdf",
                "%2e%2e%2f.pdf",
            ]
        ),
        st.builds(lambda t, ext: t + ext, nasty_text, st.sampled_from([".pdf", ".hwp", ""])),
        st.text(max_size=30),
    )


@st.composite
def parts(draw):
    content = draw(
        st.sampled_from([*BUILDERS, *BUILDERS, *BAD_CONTENT, "random"]),
    )
    kind = content if content in BUILDERS else "pdf"
    return Part(
        name=draw(st.one_of(_valid_name(kind), _valid_name(kind), _odd_name())),
        content=content,
        random_bytes=draw(st.binary(max_size=300)) if content == "random" else b"",
        field_name=draw(st.sampled_from(["files", "files", "files", "file", "files[]", ""])),
        content_type=draw(st.sampled_from(PART_TYPES)),
        raw_header=draw(st.booleans()),
        text=draw(st.sampled_from(["a", "b", "c"])),
    )


@dataclass
class UploadPost:
    parts: list = field(default_factory=lambda: [Part()])
    fields: dict = field(default_factory=dict)
    request: str = "multipart"  # how the request as a whole is typed
    json: bool = False


@st.composite
def good_parts(draw):
    """A real file under a sensible name (any part Content-Type: the content decides)."""
    kind = draw(st.sampled_from(sorted(BUILDERS)))
    return Part(
        name=draw(_valid_name(kind)),
        content=kind,
        content_type=draw(st.sampled_from(PART_TYPES)),
        raw_header=draw(st.booleans()),
        text=draw(st.sampled_from(["a", "b", "c"])),
    )


upload_posts = st.builds(
    UploadPost,
    parts=st.one_of(
        st.lists(good_parts(), min_size=1, max_size=2),
        st.lists(st.one_of(good_parts(), parts()), max_size=3),
    ),
    fields=st.one_of(
        st.just({}),
        st.dictionaries(
            st.sampled_from(["replaces", "narrative", "csrfmiddlewaretoken", "이름", "files"]),
            st.one_of(nasty_text, numbers),
            max_size=2,
        ),
    ),
    request=st.sampled_from(
        ["multipart"] * 6 + ["no-boundary", "wrong-boundary", "urlencoded", "json", "text"]
    ),
    json=st.booleans(),
)


def _header_name(part: Part) -> bytes:
    raw = part.name.encode("utf-8", "surrogatepass")
    if part.raw_header:
        return b'filename="' + raw + b'"'
    return b"filename*=UTF-8''" + quote_from_bytes(raw, safe="").encode()


def _part_header(part: Part) -> bytes:
    header = f'Content-Disposition: form-data; name="{part.field_name}"; '.encode()
    header += _header_name(part)
    if part.content_type:
        header += b"\r\nContent-Type: " + part.content_type.encode()
    return header


def _multipart_body(post: UploadPost, boundary: str) -> bytes:
    out = bytearray()
    for name, value in post.fields.items():
        out += f"--{boundary}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode("utf-8", "surrogatepass") + b"\r\n"
    for part in post.parts:
        out += f"--{boundary}\r\n".encode() + _part_header(part) + b"\r\n\r\n"
        out += part.data() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def _sanitised(name: str) -> str | None:
    """Django's own clean-up of a part's file name; a part whose name comes out empty is
    skipped by its parser (no file at all)."""
    return MultiPartParser.sanitize_file_name(None, name)


def _header_decodes(part: Part) -> bool:
    """Django skips a part whose headers are not UTF-8 (a raw lone surrogate)."""
    try:
        _part_header(part).decode()
    except UnicodeDecodeError:
        return False
    return True


def _quoted_name_survives(part: Part) -> bool:
    """A raw quoted name arrives as sent unless it holds what the header syntax gives a
    meaning to (quotes, backslashes, CR/LF, ';') -- then it is "either" outcome."""
    if not part.raw_header:
        return True
    return not any(c in part.name for c in '"\\\r\n;') and part.name == part.name.strip()


def name_refused(name: str) -> bool:
    """The upload rules for a file name (as the member sent it: never silently renamed)."""
    if not name.strip() or len(name) > 255 or "/" in name or "\\" in name:
        return True
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return True
    _stem, dot, ext = name.rpartition(".")
    return not dot or not ext or name.startswith("..")


def _file_refused(part: Part) -> bool | None:
    """True (refused), False (accepted) or None (random bytes: cannot tell)."""
    name = _as_received(part.name)
    if name_refused(name) or part.content in BAD_CONTENT:
        return True
    if part.content == "random":
        return None
    extension = name.rpartition(".")[2].lower()
    return extension not in ({part.content, "jpeg"} if part.content == "jpg" else {part.content})


@dataclass
class Expected:
    status: str  # "stored", "refused", "not found", "not stored" (400 or 404) or "either"
    names: list[str] = field(default_factory=list)  # the names stored, in order
    message: str = ""  # a refusal's own message, when the rules say which one


def expected_upload(post: UploadPost) -> Expected:
    if post.request == "wrong-boundary":
        # Django then reads the first part's headers from the top of the body: a 'replaces'
        # field may come out of it (holding the rest of the body).
        return Expected("not stored")
    if post.request != "multipart":
        return Expected("refused")
    headers = [_part_header(p) for p in post.parts]
    if any(len(h) > 1000 for h in headers):
        return Expected("refused" if any(len(h) > 1024 for h in headers) else "either")
    if sum(map(_header_decodes, post.parts)) > settings.DATA_UPLOAD_MAX_NUMBER_FILES:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return Expected("refused", message=f"한 번에 올릴 수 있는 파일은 {limit}개까지입니다")
    if post.fields.get("replaces"):
        return Expected("not found")  # the application has no file to replace
    if any(not _header_decodes(p) or _sanitised(_as_received(p.name)) is None for p in post.parts):
        # Django skips a part whose header is not UTF-8 or whose name cleans up to nothing,
        # without reading its body, and parses what follows from the middle of that file: the
        # request may become unreadable (the view's Korean 400) or the part be ignored.
        return Expected("either")
    files = [p for p in post.parts if p.field_name == "files"]
    if not files:
        return Expected("refused")
    if not all(_quoted_name_survives(p) for p in files):
        return Expected("either")
    verdicts = [_file_refused(p) for p in files]
    contents = [p.data() for p in files]
    if any(verdicts) or len(set(contents)) < len(contents):
        return Expected("refused")
    # openpyxl stamps a workbook with the current second: two parts built from the same text
    # are identical bytes (a refused duplicate) or not, depending on when they were sent.
    recipes = [(p.content, p.text) for p in files if p.content in BUILDERS]
    if len(set(recipes)) < len(recipes):
        return Expected("either")
    if None in verdicts:
        return Expected("either")
    return Expected("stored", [_as_received(p.name) for p in files])


def _files_on_disk(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def _empty(directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)


@FUZZ
@given(post=upload_posts)
# Regression: a 'replaces' field that is not a number was a 500 (ValueError in the lookup).
@example(post=UploadPost(fields={"replaces": "x"}))
@example(post=UploadPost(fields={"replaces": "1.5"}, json=True))
@example(post=UploadPost(fields={"replaces": "9" * 30}))
# Regressions: more than DATA_UPLOAD_MAX_NUMBER_FILES (100) files, or a body that parses into
# more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, got Django's bare English "Bad Request (400)".
@example(post=UploadPost(parts=[Part(name=f"{n}.pdf", text=str(n)) for n in range(101)]))
@example(post=UploadPost(parts=[Part(content="random", random_bytes=b"&" * 1200)], json=True))
@example(
    post=UploadPost(parts=[Part(content="random", random_bytes=b"&" * 1200)], request="urlencoded")
)
# Regression: a file, then a part whose header is too long for Django's parser: the first
# file's temporary file stayed on disk for as long as the request was referenced.
@example(post=UploadPost(parts=[Part(), Part(name="가" * 200 + ".pdf")]))
# The edges: Django abandons a file part with an empty field name (its temporary file must not
# outlive the request), drops a part named "a/", a name too long for the part's header.
@example(post=UploadPost(parts=[Part(field_name=""), Part(name="사진.jpg", content="jpg")]))
@example(post=UploadPost(parts=[Part(name="a/")]))
@example(post=UploadPost(parts=[Part(name="가" * 200 + ".pdf")], json=True))
@example(post=UploadPost(parts=[]))
@example(post=UploadPost(request="no-boundary"))
@example(post=UploadPost(parts=[Part(name="보고서.pdf"), Part(name="보고서.pdf", text="b")]))
def test_upload_never_fails_and_a_refusal_stores_nothing(
    client_for, member, application, _uploads_in_tmp, post
):
    media, upload_tmp = _uploads_in_tmp, Path(settings.FILE_UPLOAD_TEMP_DIR)
    url = reverse("evaluation:upload", args=[application.pk, "A.1.1"])
    boundary = uuid.uuid4().hex
    body = _multipart_body(post, boundary)
    content_type = {
        "multipart": f"multipart/form-data; boundary={boundary}",
        "no-boundary": "multipart/form-data",
        "wrong-boundary": f"multipart/form-data; boundary={uuid.uuid4().hex}",
        "urlencoded": "application/x-www-form-urlencoded",
        "json": "application/json",
        "text": "text/plain",
    }[post.request]
    headers = {"Accept": "application/json"} if post.json else {}
    expected = expected_upload(post)
    event(f"expected: {expected.status}")
    try:
        with _rolled_back():
            response = client_for(member).post(
                url, body, content_type=content_type, headers=headers
            )
            stored = list(EvidenceFile.objects.order_by("pk"))
            on_disk = _files_on_disk(media)
            assert not _files_on_disk(upload_tmp), "a temporary upload file was left behind"
            status = response.status_code
            event(f"status: {status}")
            if expected.status == "not found":
                assert status == 404
            elif expected.status == "not stored":
                assert status in (400, 404), status
            elif expected.status == "either":
                assert status in (200, 302, 400), status
            else:
                wanted = 400 if expected.status == "refused" else (200 if post.json else 302)
                assert status == wanted, (status, expected, _text(response)[:400])
            if status in (200, 302):
                assert len(stored) == len(on_disk) >= 1
                if expected.status == "stored":
                    assert [f.original_name for f in stored] == expected.names
                if post.json:
                    assert response.json()["ok"] is True and _korean(response.json()["message"])
                return
            assert not stored and not on_disk, "a refused upload stored something"
            assert not Evidence.objects.exists()
            if status == 404:
                return
            if post.json:
                answer = response.json()
                assert answer["ok"] is False and answer["errors"]
                assert all(_korean(e) for e in answer["errors"]), answer["errors"]
                said = " ".join(answer["errors"])
            else:
                said = _text(response)
                assert "아무 파일도 저장하지 않았습니다" in said, said[:400]
            assert expected.message in said, said[:400]
    finally:
        _empty(media)
