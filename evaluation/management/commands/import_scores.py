from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evaluation import numbers, queries
from evaluation.models import Application, AreaSubstitution, Assignment, ItemScore, SheetStatus
from evaluation.queries.exports import SCORE_COLUMNS
from evaluation.queries.sheet import entry_text
from evaluation.scoring import fmt
from evaluation.services.sheet import entry_parse, score_record, sheet_confirm_imported
from indicators.models import Item
from institutions.models import User

from ._tabular import read_table

# The optional points column: the points the entry gives, negative on penalty items.
POINTS_CELL = numbers.Accepts("점수", "점", None, None, places=4)

OPTIONAL_COLUMNS = ("strength", "improvement")
TRUE = {"true", "1", "yes", "y", "예", "확정"}
FALSE = {"false", "0", "no", "n", "아니요", "아니오", "미확정"}


class Refused(Exception):
    pass


@dataclass
class Row:
    line: int
    assignment: Assignment
    item: Item
    entered: str
    confirmed: bool
    strength: str | None
    improvement: str | None
    unchanged: bool = False


class Command(BaseCommand):
    help = (
        "종이로 평가한 점수를 가져옵니다. 형식은 export_scores와 같습니다 (열: "
        + ", ".join(SCORE_COLUMNS)
        + "; 선택 열: strength, improvement). 한 행이라도 거부되면 아무것도 저장하지 않고, "
        "거부된 행마다 행 번호와 열을 알려 줍니다. confirmed가 true인 평가표는 가져온 뒤 확정합니다. "
        "변경 이력에는 '가져오기'로, --by 관리자가 한 일로 남습니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV(UTF-8) 또는 XLSX 파일")
        parser.add_argument("--by", help="가져오기를 하는 관리자의 아이디 (변경 이력에 남습니다)")

    def handle(self, *args, file, by, **options):
        admin = self._admin(by)
        header, body = read_table(file)
        self._check_header(header)
        index = {name: i for i, name in enumerate(header)}
        errors: list[str] = []
        rows = self._validate(body, index, errors)
        if errors:
            self._refuse(errors, len(body))
        name = Path(file).name
        with transaction.atomic():
            saved, confirmed = self._write(rows, admin, name, errors)
            if errors:
                transaction.set_rollback(True)
        if errors:
            self._refuse(errors, len(body))
        unchanged = sum(1 for r in rows if r.unchanged)
        self.stdout.write(
            self.style.SUCCESS(
                f"{name}: 점수 {saved}건을 저장하고 평가표 {confirmed}건을 확정했습니다 "
                f"(이미 같은 값인 행 {unchanged}건)."
            )
        )

    # --- checks ----------------------------------------------------------------------------

    def _admin(self, username: str | None) -> User:
        if not username:
            raise CommandError("--by 에 가져오기를 하는 관리자의 아이디를 지정하십시오.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not queries.is_admin(user):
            raise CommandError(f"--by '{username}': 활성 관리자 계정이 아닙니다.")
        return user

    def _check_header(self, header: list[str]) -> None:
        problems = []
        if header[: len(SCORE_COLUMNS)] != SCORE_COLUMNS:
            problems.append(
                "1행: 열 이름이 다릅니다. 처음 열은 차례대로 "
                + ", ".join(SCORE_COLUMNS)
                + f" 이어야 합니다 (파일: {', '.join(header[: len(SCORE_COLUMNS)])})."
            )
        for n, extra in enumerate(header[len(SCORE_COLUMNS) :], start=len(SCORE_COLUMNS) + 1):
            if extra not in OPTIONAL_COLUMNS:
                problems.append(f"1행 {n}번째 열: 알 수 없는 열 '{extra}'입니다.")
        if problems:
            raise CommandError("\n".join([*problems, "아무것도 저장하지 않았습니다."]))

    def _refuse(self, errors: list[str], n_rows: int) -> None:
        for line in errors:
            self.stderr.write(line)
        raise CommandError(
            f"{len(errors)}건의 문제로 가져오기를 거부했습니다 (전체 {n_rows}행). "
            "아무것도 저장하지 않았습니다."
        )

    def _validate(self, body, index, errors) -> list[Row]:
        def cell(row, name):
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        ids = set()
        for _, row in body:
            with contextlib.suppress(ValueError):
                ids.add(int(cell(row, "application_id")))
        applications = {
            a.pk: a
            for a in Application.objects.filter(pk__in=ids).select_related(
                "institution", "cycle__rubric_version"
            )
        }
        assignments = {
            (a.application_id, a.evaluator.username): a
            for a in Assignment.objects.filter(application_id__in=ids).select_related(
                "evaluator", "sheet", "application__cycle"
            )
        }
        versions = {a.cycle.rubric_version_id for a in applications.values()}
        items = {
            (i.version_id, i.code): i
            for i in Item.objects.filter(version_id__in=versions).select_related("indicator")
        }
        substituted = set(
            AreaSubstitution.objects.filter(application_id__in=ids).values_list(
                "application_id", "area_id"
            )
        )
        stored = {
            (s.sheet.assignment_id, s.item_id): s
            for s in ItemScore.objects.filter(
                sheet__assignment__application_id__in=ids
            ).select_related("sheet")
        }

        rows: list[Row] = []
        seen: dict[tuple, int] = {}
        sheet_confirmed: dict[int, tuple[bool, int]] = {}
        for line, raw in body:
            problems: list[str] = []

            def refuse(column: str, message: str, problems=problems, line=line):
                problems.append(f"{line}행 {column} 열: {message}")

            if len(raw) < len(SCORE_COLUMNS):
                problems.append(
                    f"{line}행: 열이 {len(raw)}개뿐입니다 ({len(SCORE_COLUMNS)}개 필요)."
                )
                errors += problems
                continue
            text = cell(raw, "application_id")
            application = None
            try:
                application = applications.get(int(text))
                if application is None:
                    refuse("application_id", f"신청 번호 {text}에 해당하는 신청이 없습니다.")
            except ValueError:
                refuse("application_id", f"'{text}' 값은 신청 번호(정수)가 아닙니다.")
            if application is None:
                errors += problems
                continue
            institution = cell(raw, "institution")
            if institution != application.institution.name:
                refuse(
                    "institution",
                    f"'{institution}' 기관은 신청 {application.pk}의 기관"
                    f"({application.institution.name})과 다릅니다.",
                )
            username = cell(raw, "evaluator")
            assignment = assignments.get((application.pk, username))
            if assignment is None:
                refuse(
                    "evaluator",
                    f"'{username}' 평가위원은 신청 {application.pk}에 배정되어 있지 않습니다.",
                )
            elif not assignment.is_active:
                refuse(
                    "evaluator",
                    f"평가위원 '{username}'의 배정은 배제({assignment.get_exclusion_display()})되어 "
                    "점수를 가져올 수 없습니다.",
                )
            code = cell(raw, "item_code")
            item = items.get((application.cycle.rubric_version_id, code))
            if item is None:
                refuse("item_code", f"'{code}' 항목은 이 평가 주기의 평가지표에 없습니다.")
            else:
                method = cell(raw, "method")
                if method != item.method:
                    refuse(
                        "method", f"{code}의 채점 방식은 '{item.method}'입니다 (파일: '{method}')."
                    )
                if (application.pk, item.indicator.area_id) in substituted:
                    refuse(
                        "item_code",
                        f"{code}: 인증서로 대체 인정된 영역의 항목이므로 채점하지 않습니다.",
                    )
            flag = cell(raw, "confirmed").lower()
            if flag not in TRUE | FALSE:
                refuse("confirmed", f"'{cell(raw, 'confirmed')}' 값은 true 또는 false여야 합니다.")
            confirmed = flag in TRUE if flag in TRUE | FALSE else None
            entered = cell(raw, "entered")
            parsed = None
            if not entered:
                refuse("entered", "입력값이 비어 있습니다.")
            elif item is not None:
                try:
                    parsed = entry_parse(item, entered)
                except ValidationError as exc:
                    for message in exc.messages:
                        refuse("entered", message)
            points = cell(raw, "points")
            if parsed is not None and points:
                try:
                    given = numbers.parse(points, code=code, accepts=POINTS_CELL)
                except numbers.NumberError as exc:
                    refuse("points", str(exc))
                else:
                    if given != parsed.points:
                        refuse(
                            "points",
                            f"점수({points})가 입력값({entered})으로 계산한 점수"
                            f"({fmt(parsed.points)})와 다릅니다.",
                        )
            if assignment is not None and item is not None:
                key = (assignment.pk, item.pk)
                if key in seen:
                    problems.append(
                        f"{line}행: {seen[key]}행과 같은 (신청, 평가위원, 항목)입니다 — 한 번만 쓸 수 있습니다."
                    )
                seen.setdefault(key, line)
                first = sheet_confirmed.setdefault(assignment.pk, (confirmed, line))
                if confirmed is not None and first[0] is not None and first[0] != confirmed:
                    refuse(
                        "confirmed",
                        f"같은 평가표의 {first[1]}행과 다릅니다 (한 평가표의 행은 모두 같아야 합니다).",
                    )
            if problems or assignment is None or item is None or parsed is None:
                errors += problems
                continue
            row = Row(
                line=line,
                assignment=assignment,
                item=item,
                entered=entered,
                confirmed=confirmed,
                strength=cell(raw, "strength") if "strength" in index else None,
                improvement=cell(raw, "improvement") if "improvement" in index else None,
            )
            current = stored.get((assignment.pk, item.pk))
            sheet = getattr(assignment, "sheet", None)
            same = (
                current is not None
                and entry_text(current)
                == entry_text({"grade": parsed.grade, "value": parsed.value, "count": parsed.count})
                and (row.strength is None or row.strength == current.strength)
                and (row.improvement is None or row.improvement == current.improvement)
            )
            locked = sheet is not None and sheet.status == SheetStatus.CONFIRMED
            if locked and not (same and confirmed):
                errors.append(
                    f"{line}행: 평가위원 '{username}'의 신청 {application.pk} 평가표는 이미 "
                    "확정되어 바꿀 수 없습니다. 관리자가 확정 해제한 뒤 가져오십시오."
                )
                continue
            row.unchanged = same
            if current is not None:
                row.strength = current.strength if row.strength is None else row.strength
                row.improvement = (
                    current.improvement if row.improvement is None else row.improvement
                )
            rows.append(row)
        return rows

    # --- writing ---------------------------------------------------------------------------

    def _write(self, rows: list[Row], admin, name: str, errors: list[str]) -> tuple[int, int]:
        saved = 0
        for row in rows:
            if row.unchanged:
                continue
            try:
                score_record(
                    assignment=row.assignment,
                    item=row.item,
                    by=admin,
                    version=None,
                    entry=row.entered,
                    strength=row.strength or "",
                    improvement=row.improvement or "",
                    action="import",
                )
                saved += 1
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    errors.append(f"{row.line}행: {message}")
        confirmed = 0
        first_line: dict[int, Row] = {}
        for row in rows:
            first_line.setdefault(row.assignment.pk, row)
        for row in first_line.values():
            sheet = getattr(row.assignment, "sheet", None)
            if not row.confirmed or (sheet is not None and sheet.status == SheetStatus.CONFIRMED):
                continue
            try:
                sheet_confirm_imported(
                    assignment=row.assignment, by=admin, reason=f"종이 평가표 가져오기 ({name})"
                )
                confirmed += 1
            except (ValidationError, PermissionDenied) as exc:
                who = f"평가위원 '{row.assignment.evaluator.username}'의 신청 {row.assignment.application_id} 평가표"
                for message in getattr(exc, "messages", [str(exc)]):
                    errors.append(
                        f"{row.line}행 confirmed 열: {who}를 확정할 수 없습니다 — {message}"
                    )
        return saved, confirmed
