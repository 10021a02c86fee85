from django.core.management.base import BaseCommand

from evaluation.queries.exports import (
    result_export_columns,
    result_export_rows,
    result_export_rules,
)
from evaluation.queries.results import cycle_areas
from evaluation.scoring import fmt

from ._tabular import get_cycle, write_json, write_table


class Command(BaseCommand):
    help = (
        "평가 주기의 결과를 내보냅니다: 신청마다 한 행, 열은 application_id, institution, total, "
        "영역 코드마다 한 열, penalty(감점, 총점 = 영역 합 + 감점), decision, rank. JSON에는 집계 방식(rule), 인증 기준(threshold), "
        "영역별 최소 득점률(area_minimums)과 평가지표의 반올림(rounding)도 담겨, "
        "export_scores의 점수로 누구나 결과를 다시 계산할 수 있습니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2026)")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", help="저장할 파일 (csv, json은 생략하면 표준 출력)")

    def handle(self, *args, cycle, format, output, **options):
        cycle = get_cycle(cycle)
        areas = cycle_areas(cycle)
        columns = result_export_columns(areas)
        rows = result_export_rows(cycle, areas)
        if format == "json":
            version = cycle.rubric_version
            write_json(
                self,
                {
                    "format": "certeval.results/1",
                    "cycle": cycle.slug,
                    "title": cycle.title,
                    "rubric": {
                        "code": version.rubric.code,
                        "version": version.version,
                        "total_points": fmt(version.total_points),
                    },
                    "rounding": {"places": version.rounding_places, "mode": version.rounding_mode},
                    **result_export_rules(cycle),  # the tally's reading of the cycle's rules
                    "evaluator_key": "username",
                    "columns": columns,
                    "results": rows,
                },
                output=output,
            )
            return
        write_table(
            self,
            columns,
            ([row[c] for c in columns] for row in rows),
            fmt=format,
            output=output,
            sheet_title="results",
        )
