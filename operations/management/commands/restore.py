from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "backup으로 만든 폴더를 빈 데이터베이스와 저장소에 복원하고 모든 해시를 검증합니다."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="backup --out 으로 만든 폴더")

    def handle(self, *args, archive: Path, **options):
        call_command("migrate", verbosity=0, interactive=False)
        try:
            report = backup_restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"복원 후 검증에서 문제 {len(report.problems)}건이 발견되었습니다.")
        self.stdout.write(
            self.style.SUCCESS(
                f"복원 완료: 데이터 {report.objects}건, 파일 {report.files}개, 모든 해시 일치"
            )
        )
