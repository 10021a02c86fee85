from django.core.management.base import BaseCommand

from evaluation import reliability
from evaluation.services.reliability import cycle_reliability

from ._tabular import get_cycle, write_json, write_table


class Command(BaseCommand):
    help = (
        "평가 주기의 평가 신뢰도를 내보냅니다: Krippendorff의 α(전체, 영역별, 항목별; 구간 척도, "
        "항목 배점 대비 %, 부트스트랩 95% 구간)와 평가위원별 엄격도. 숫자는 소수 4자리로 "
        "반올림합니다(docs/decisions/015-reliability.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2026)")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", "-o", help="저장할 파일 (생략하면 표준 출력)")

    def handle(self, *args, cycle, format, output, **options):
        found = cycle_reliability(get_cycle(cycle))
        if format == "json":
            write_json(self, reliability.document(found), output=output)
        else:
            write_table(
                self,
                reliability.TABLE_COLUMNS,
                reliability.table(found),
                fmt="csv",
                output=output,
                sheet_title="평가 신뢰도",
            )
