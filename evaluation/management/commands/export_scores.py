from django.core.management.base import BaseCommand

from evaluation.queries.exports import SCORE_COLUMNS, score_export_rows

from ._tabular import get_cycle, write_table


class Command(BaseCommand):
    help = (
        "평가 주기의 항목 점수를 내보냅니다: (신청, 평가위원, 항목)마다 한 행, 열은 "
        + ", ".join(SCORE_COLUMNS)
        + ". 배제된 평가위원의 평가표는 반영되지 않으므로 내보내지 않습니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2026)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", help="저장할 파일 (csv는 생략하면 표준 출력)")

    def handle(self, *args, cycle, format, output, **options):
        cycle = get_cycle(cycle)
        write_table(
            self,
            SCORE_COLUMNS,
            score_export_rows(cycle),
            fmt=format,
            output=output,
            sheet_title="scores",
        )
