"""Render one report synchronously, with the same code as the Celery task, to a file.

    manage.py render_report result APPLICATION_ID --out result.pdf
    manage.py render_report sheet ASSIGNMENT_ID --out sheet.pdf
    manage.py render_report summary CYCLE_ID_OR_SLUG --out summary.pdf   (or .xlsx)

Nothing is written to the database or the report storage: this is for operators (checking a
layout, a font, a document) and for tests.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.models import Application, Assignment, Cycle
from reports import documents, inputs


class Command(BaseCommand):
    help = "결과보고서(result), 평가표(sheet), 집계표(summary)를 바로 만들어 파일로 씁니다."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["result", "sheet", "summary"])
        parser.add_argument(
            "id", help="result: 신청 ID, sheet: 평가위원 배정 ID, summary: 평가 주기 ID 또는 slug"
        )
        parser.add_argument("--out", required=True, help="출력 파일 (.pdf, summary는 .xlsx도 가능)")

    def handle(self, *args, kind, id, out, **options):
        out_path = Path(out)
        xlsx = out_path.suffix.lower() == ".xlsx"
        if xlsx and kind != "summary":
            raise CommandError("XLSX는 집계표(summary)만 만들 수 있습니다.")
        try:
            data = self._inputs(kind, id)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        content = (
            documents.render_xlsx_bytes(data) if xlsx else documents.render_pdf_bytes(kind, data)
        )
        # Complete bytes first, then one write through a temporary name: never a half file.
        tmp = out_path.with_name(out_path.name + ".part")
        tmp.write_bytes(content)
        tmp.replace(out_path)
        self.stdout.write(f"{out_path} ({len(content):,} bytes)")

    def _inputs(self, kind: str, ident: str) -> dict:
        if kind == "result":
            return inputs.result_inputs(self._get(Application, ident, "신청"))
        if kind == "sheet":
            return inputs.sheet_inputs(self._get(Assignment, ident, "평가위원 배정"))
        if ident.isdigit():
            cycle = Cycle.objects.filter(pk=int(ident)).first()
        else:
            cycle = Cycle.objects.filter(slug=ident).first()
        if cycle is None:
            raise CommandError(f"'{ident}' 평가 주기를 찾을 수 없습니다.")
        return inputs.summary_inputs(cycle)

    def _get(self, model, ident: str, label: str):
        if not ident.isdigit():
            raise CommandError(f"{label} ID는 숫자여야 합니다: '{ident}'")
        obj = model.objects.filter(pk=int(ident)).first()
        if obj is None:
            raise CommandError(f"찾을 수 없습니다: {label} {ident}.")
        return obj
