"""Bulk import of institutions from the agency's spreadsheet (CSV UTF-8 or XLSX).

Columns (header row, in any order): 기관명, 사업자등록번호, 유형, 등록일, and optionally
제재 종료일 and 담당자 이메일. ``plan_import`` reads and checks the whole file and returns a
plan (what would be created, updated, sanctioned and invited) or every problem, each named by
its line and column; ``apply_import`` writes a plan in one transaction, re-checking it first.
All or nothing: a file with any bad row writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..models import (
    Institution,
    InstitutionType,
    Invitation,
    Membership,
    PeopleEventKind,
    Sanction,
)
from ..roles import Role
from ..validators import business_number_is_valid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

NAME, NUMBER, TYPE, REGISTERED, SANCTION_END, EMAIL = (
    "기관명",
    "사업자등록번호",
    "유형",
    "등록일",
    "제재 종료일",
    "담당자 이메일",
)
REQUIRED = (NAME, NUMBER, TYPE, REGISTERED)
OPTIONAL = (SANCTION_END, EMAIL)

_TYPE_WORDS = {
    InstitutionType.WIDE: ("wide", "광역형", "i형", "ⅰ형", "1형", "ⅰ형 광역형", "i형 광역형"),
    InstitutionType.REGIONAL: (
        "regional",
        "지역특화형",
        "ii형",
        "ⅱ형",
        "2형",
        "ⅱ형 지역특화형",
        "ii형 지역특화형",
    ),
}
_TYPES = {w: t for t, words in _TYPE_WORDS.items() for w in words}


class ImportInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    line: int
    name: str
    number: str
    type: str
    registered_on: date
    sanction_ends_on: date | None
    email: str
    existing_id: int | None = None
    changes: list[str] = field(default_factory=list)
    invite: bool = False
    sanction: bool = False

    @property
    def action(self) -> str:
        if self.existing_id is None:
            return "신규"
        return "변경" if self.changes else "변경 없음"


@dataclass
class Plan:
    rows: list[Row]

    @property
    def created(self) -> int:
        return sum(r.existing_id is None for r in self.rows)

    @property
    def updated(self) -> int:
        return sum(r.existing_id is not None and bool(r.changes) for r in self.rows)

    @property
    def invitations(self) -> int:
        return sum(r.invite for r in self.rows)

    @property
    def sanctions(self) -> int:
        return sum(r.sanction for r in self.rows)

    def summary(self) -> str:
        return (
            f"{len(self.rows)}행: 신규 {self.created}곳, 변경 {self.updated}곳, "
            f"제재 기록 {self.sanctions}건, 초대 {self.invitations}건"
        )


# --- reading ---------------------------------------------------------------------------------


def _table(content: bytes, filename: str) -> list[list[object]]:
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 -- any unreadable workbook
            raise ImportInvalid(
                [f"XLSX 파일을 읽을 수 없습니다 ({exc.__class__.__name__})."]
            ) from None
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportInvalid(
            [
                f"CSV 파일이 UTF-8이 아닙니다 ({exc.start + 1}번째 바이트). 엑셀에서 "
                "'CSV UTF-8'로 저장하십시오."
            ]
        ) from None
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?", text)
    if not match:
        raise ValueError(text)
    return date(*map(int, match.groups()))


def plan_import(content: bytes, filename: str = "") -> Plan:
    """Every problem of the file at once (``ImportInvalid``), or the plan."""
    if len(content) > MAX_BYTES:
        raise ImportInvalid([f"파일이 너무 큽니다 (최대 {MAX_BYTES // (1024 * 1024)} MB)."])
    table = [r for r in _table(content, filename)]
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise ImportInvalid(["파일이 비어 있습니다. 첫 행에 열 이름이 있어야 합니다."])
    header = [_text(c) for c in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportInvalid(
            [f"1행: 필수 열이 없습니다: {', '.join(missing)} (있는 열: {', '.join(header)})"]
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportInvalid([f"행이 너무 많습니다 (최대 {MAX_ROWS}행)."])
    col = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    problems: list[str] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(table[1:], start=2):
        if not any(_text(c) for c in raw):
            continue

        def cell(name, raw=raw):
            i = col.get(name)
            return raw[i] if i is not None and i < len(raw) else None

        row_problems = []
        name = _text(cell(NAME))
        if not name:
            row_problems.append(f"{line}행 {NAME}: 비어 있습니다.")
        elif len(name) > 200:
            row_problems.append(f"{line}행 {NAME}: 200자를 넘습니다.")
        number = _text(cell(NUMBER)).replace("-", "")
        if not business_number_is_valid(number):
            row_problems.append(
                f"{line}행 {NUMBER}: '{_text(cell(NUMBER))}'가 올바르지 않습니다 "
                "(숫자 10자리, 검증번호 확인)."
            )
        elif number in seen:
            row_problems.append(f"{line}행 {NUMBER}: {seen[number]}행과 같은 번호({number})입니다.")
        else:
            seen[number] = line
        kind = _TYPES.get(_text(cell(TYPE)).lower().replace("  ", " "))
        if kind is None:
            row_problems.append(
                f"{line}행 {TYPE}: 알 수 없는 유형 '{_text(cell(TYPE))}'입니다 "
                "(광역형 또는 지역특화형)."
            )
        try:
            registered = _date(cell(REGISTERED))
        except ValueError:
            registered = None
            row_problems.append(
                f"{line}행 {REGISTERED}: '{_text(cell(REGISTERED))}' 값은 날짜가 아닙니다 "
                "(YYYY-MM-DD)."
            )
        sanction_end = None
        if _text(cell(SANCTION_END)):
            try:
                sanction_end = _date(cell(SANCTION_END))
            except ValueError:
                row_problems.append(
                    f"{line}행 {SANCTION_END}: '{_text(cell(SANCTION_END))}' 값은 날짜가 "
                    "아닙니다 (YYYY-MM-DD)."
                )
            else:
                if registered and sanction_end < registered:
                    row_problems.append(
                        f"{line}행 {SANCTION_END}: 등록일({registered})보다 앞선 날짜"
                        f"({sanction_end})입니다."
                    )
        email = _text(cell(EMAIL))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(f"{line}행 {EMAIL}: '{email}'는 이메일 주소가 아닙니다.")
        if row_problems:
            problems += row_problems
            continue
        rows.append(Row(line, name, number, kind, registered, sanction_end, email))
    if problems:
        raise ImportInvalid(problems)
    if not rows:
        raise ImportInvalid(["가져올 행이 없습니다 (열 이름 아래가 비어 있습니다)."])
    _compare(rows)
    return Plan(rows)


def _compare(rows: list[Row]) -> None:
    """Fill each row's action from the database: existing institution and its changes, the
    sanction to record, the invitation to send."""
    existing = {
        i.business_number: i
        for i in Institution.objects.filter(business_number__in=[r.number for r in rows])
    }
    sanctions = {
        (s["institution_id"], s["ends_on"])
        for s in Sanction.objects.filter(institution__in=existing.values()).values(
            "institution_id", "ends_on"
        )
    }
    members = {
        (m["institution_id"], m["user__email"].lower())
        for m in Membership.objects.filter(institution__in=existing.values()).values(
            "institution_id", "user__email"
        )
    }
    invited = {
        (i["institution_id"], i["email"].lower())
        for i in Invitation.objects.filter(
            institution__in=existing.values(), accepted_at__isnull=True
        ).values("institution_id", "email")
    }
    for row in rows:
        current = existing.get(row.number)
        if current is not None:
            row.existing_id = current.pk
            for label, old, new in (
                (NAME, current.name, row.name),
                (TYPE, current.type, row.type),
                (REGISTERED, current.registered_on, row.registered_on),
            ):
                if old != new:
                    row.changes.append(f"{label}: {old} → {new}")
            if row.email and current.contact_email != row.email:
                row.changes.append(f"{EMAIL}: {current.contact_email or '없음'} → {row.email}")
        key = current.pk if current else None
        row.sanction = bool(row.sanction_ends_on) and (key, row.sanction_ends_on) not in sanctions
        row.invite = bool(row.email) and (
            key is None
            or ((key, row.email.lower()) not in members and (key, row.email.lower()) not in invited)
        )


@transaction.atomic
def apply_import(plan: Plan, *, by) -> Plan:
    """Write ``plan``: recomputed against the database first (it may have changed since the
    preview), then every row in one transaction. Invitations go out after commit."""
    from . import services

    _compare(plan.rows)
    for row in plan.rows:
        if row.existing_id is None:
            institution = Institution.objects.create(
                name=row.name,
                business_number=row.number,
                type=row.type,
                registered_on=row.registered_on,
                contact_email=row.email,
            )
            services._event(
                PeopleEventKind.IMPORTED,
                by=by,
                institution=institution,
                detail=f"일괄 등록 {row.line}행: 신규 {row.name} ({row.number})",
            )
        else:
            institution = Institution.objects.get(pk=row.existing_id)
            if row.changes:
                changes = {"name": row.name, "type": row.type, "registered_on": row.registered_on}
                if row.email:
                    changes["contact_email"] = row.email
                services.institution_update(institution=institution, by=by, **changes)
                services._event(
                    PeopleEventKind.IMPORTED,
                    by=by,
                    institution=institution,
                    detail=f"일괄 등록 {row.line}행: 변경 " + "; ".join(row.changes),
                )
        if row.sanction:
            services.sanction_record(
                institution=institution,
                by=by,
                starts_on=min(row.registered_on, row.sanction_ends_on),
                ends_on=row.sanction_ends_on,
                reason=f"일괄 등록 {row.line}행 (시작일 미상: 등록일부터로 기록)",
            )
        if row.invite:
            services.invitation_create(
                email=row.email, role=Role.INSTITUTION, institution=institution, by=by
            )
    return plan
