from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "데이터베이스와 저장소의 모든 파일을 해시 목록(manifest)과 함께 백업합니다."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="백업을 쓸 빈 폴더")

    def handle(self, *args, out: Path, **options):
        try:
            manifest = backup_create(out=out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"백업 완료: {out} (데이터 {manifest['database']['objects']}건, "
                f"파일 {len(manifest['files'])}개)"
            )
        )
