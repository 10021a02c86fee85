import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.models import RubricVersion
from indicators.services import rubric_export


class Command(BaseCommand):
    help = "평가지표 버전을 교환 형식(certeval.rubric/1) YAML로 내보냅니다."

    def add_arguments(self, parser):
        parser.add_argument("code", help="평가지표 코드 (예: job-information-provider)")
        parser.add_argument("version", help="버전 (예: 1)")
        parser.add_argument("-o", "--output", help="저장할 파일 (없으면 표준 출력)")

    def handle(self, *args, code, version, output, **options):
        found = (
            RubricVersion.objects.select_related("rubric")
            .filter(rubric__code=code, version=version)
            .first()
        )
        if found is None:
            raise CommandError(f"평가지표 '{code}'에 '{version}' 버전이 없습니다")
        text = rubric_export(version=found)
        if not output:
            self.stdout.write(text, ending="")
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"{output}: 폴더가 없습니다")
        # Write beside the target and rename, so a failure never leaves half a file behind.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"{code}의 {version} 버전을 {output}에 저장했습니다.")
