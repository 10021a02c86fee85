import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.services import rubric_import
from indicators.validation import RubricInvalid


class Command(BaseCommand):
    help = (
        "평가지표 문서(certeval.rubric/1, YAML 또는 JSON)를 새 버전으로 가져옵니다. "
        "문제가 하나라도 있으면 아무것도 저장하지 않고 모든 문제를 출력합니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="가져올 파일 경로 (- 이면 표준 입력)")
        parser.add_argument(
            "--publish", action="store_true", help="가져온 뒤 바로 게시합니다 (기본: 초안)"
        )

    def handle(self, *args, file, publish, **options):
        if file == "-":
            text = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: 파일이 없습니다")
            text = path.read_bytes()
        try:
            version = rubric_import(document_text=text, publish=publish)
        except RubricInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file}: 평가지표를 가져오지 못했습니다 (문제 {len(exc.problems)}건). "
                "아무것도 저장하지 않았습니다."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.rubric.code}의 {version.version} 버전을 가져왔습니다 "
                f"({version.get_status_display()}, 항목 {version.items.count()}개)."
            )
        )
