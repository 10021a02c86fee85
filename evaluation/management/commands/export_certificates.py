import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand

from evaluation.formula_guard import neutralise
from evaluation.models import Certification
from evaluation.queries.certification import verify_url

from ._tabular import get_cycle, write_json

COLUMNS = ["number", "institution", "valid_from", "valid_until", "status", "verify_url"]


class Command(BaseCommand):
    help = (
        "평가 주기의 인증서를 내보냅니다: 인증서마다 한 행, 열은 number, institution, "
        "valid_from, valid_until, status(valid/expired/revoked, 오늘 기준), verify_url "
        "(SITE_URL 기준의 공개 진위 확인 주소)."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2023)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", "-o", help="저장할 파일 (생략하면 표준 출력)")

    def handle(self, *args, cycle, format, output, **options):
        cycle = get_cycle(cycle)
        rows = [
            {
                "number": c.number,
                "institution": c.institution.name,
                "valid_from": c.valid_from.isoformat(),
                "valid_until": c.valid_until.isoformat(),
                "status": str(c.status.value),
                "verify_url": verify_url(c),
            }
            for c in Certification.objects.filter(cycle=cycle)
            .select_related("institution")
            .order_by("year", "sequence")
        ]
        if format == "json":
            write_json(
                self,
                {
                    "format": "certeval.certifications/1",
                    "cycle": cycle.slug,
                    "programme": cycle.rubric_version.rubric.code,
                    "columns": COLUMNS,
                    "certifications": rows,
                },
                output=output,
            )
            return
        # Every cell quoted: a CR or LF inside a name stays inside its cell.
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([neutralise(row[c]) for c in COLUMNS] for row in rows)
        if output:
            Path(output).write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        else:
            self.stdout.write(buffer.getvalue(), ending="")
