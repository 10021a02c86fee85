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
from django.utils.translation import gettext as _

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
            return _("신규")
        return _("변경") if self.changes else _("변경 없음")


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
        return _(
            "%(rows)d행: 신규 %(created)d곳, 변경 %(updated)d곳, 제재 기록 %(sanctions)d건, "
            "초대 %(invitations)d건"
        ) % {
            "rows": len(self.rows),
            "created": self.created,
            "updated": self.updated,
            "sanctions": self.sanctions,
            "invitations": self.invitations,
        }


# --- reading ---------------------------------------------------------------------------------


def _table(content: bytes, filename: str) -> list[list[object]]:
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 -- any unreadable workbook
            raise ImportInvalid(
                [_("XLSX 파일을 읽을 수 없습니다 (%(error)s).") % {"error": exc.__class__.__name__}]
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
                _(
                    "CSV 파일이 UTF-8이 아닙니다 (%(byte)d번째 바이트). 엑셀에서 "
                    "'CSV UTF-8'로 저장하십시오."
                )
                % {"byte": exc.start + 1}
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
        raise ImportInvalid(
            [_("파일이 너무 큽니다 (최대 %(mb)d MB).") % {"mb": MAX_BYTES // (1024 * 1024)}]
        )
    table = [r for r in _table(content, filename)]
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise ImportInvalid([_("파일이 비어 있습니다. 첫 행에 열 이름이 있어야 합니다.")])
    header = [_text(c) for c in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportInvalid(
            [
                _("1행: 필수 열이 없습니다: %(missing)s (있는 열: %(header)s)")
                % {"missing": ", ".join(missing), "header": ", ".join(header)}
            ]
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportInvalid([_("행이 너무 많습니다 (최대 %(max)d행).") % {"max": MAX_ROWS}])
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

        def at(column, line=line, **values):  # where a problem is: line and column
            return {"line": line, "column": column, **values}

        row_problems = []
        name = _text(cell(NAME))
        if not name:
            row_problems.append(_("%(line)d행 %(column)s: 비어 있습니다.") % at(NAME))
        elif len(name) > 200:
            row_problems.append(_("%(line)d행 %(column)s: 200자를 넘습니다.") % at(NAME))
        number = _text(cell(NUMBER)).replace("-", "")
        if not business_number_is_valid(number):
            row_problems.append(
                _(
                    "%(line)d행 %(column)s: '%(value)s' 값이 올바르지 않습니다 "
                    "(숫자 10자리, 검증번호 확인)."
                )
                % at(NUMBER, value=_text(cell(NUMBER)))
            )
        elif number in seen:
            row_problems.append(
                _("%(line)d행 %(column)s: %(other)d행과 같은 번호(%(value)s)입니다.")
                % at(NUMBER, other=seen[number], value=number)
            )
        else:
            seen[number] = line
        kind = _TYPES.get(_text(cell(TYPE)).lower().replace("  ", " "))
        if kind is None:
            row_problems.append(
                _(
                    "%(line)d행 %(column)s: 알 수 없는 유형 '%(value)s'입니다 (광역형 또는 지역특화형)."
                )
                % at(TYPE, value=_text(cell(TYPE)))
            )
        try:
            registered = _date(cell(REGISTERED))
        except ValueError:
            registered = None
            row_problems.append(
                _("%(line)d행 %(column)s: '%(value)s' 값은 날짜가 아닙니다 (YYYY-MM-DD).")
                % at(REGISTERED, value=_text(cell(REGISTERED)))
            )
        sanction_end = None
        if _text(cell(SANCTION_END)):
            try:
                sanction_end = _date(cell(SANCTION_END))
            except ValueError:
                row_problems.append(
                    _("%(line)d행 %(column)s: '%(value)s' 값은 날짜가 아닙니다 (YYYY-MM-DD).")
                    % at(SANCTION_END, value=_text(cell(SANCTION_END)))
                )
            else:
                if registered and sanction_end < registered:
                    row_problems.append(
                        _(
                            "%(line)d행 %(column)s: 등록일(%(registered)s)보다 앞선 날짜(%(value)s)입니다."
                        )
                        % at(SANCTION_END, registered=registered, value=sanction_end)
                    )
        email = _text(cell(EMAIL))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(
                    _("%(line)d행 %(column)s: '%(value)s' 값은 이메일 주소가 아닙니다.")
                    % at(EMAIL, value=email)
                )
        if row_problems:
            problems += row_problems
            continue
        rows.append(Row(line, name, number, kind, registered, sanction_end, email))
    if problems:
        raise ImportInvalid(problems)
    if not rows:
        raise ImportInvalid([_("가져올 행이 없습니다 (열 이름 아래가 비어 있습니다).")])
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
