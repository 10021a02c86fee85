from django.core.management.base import BaseCommand, CommandError

from evaluation.services.integrity_legacy import integrity_seal_legacy


class Command(BaseCommand):
    help = (
        "업그레이드 전에 만든 점수 이력과 확정 해시(SHA-256)를 INTEGRITY_KEY로 봉인(HMAC)합니다. "
        "migrate 직후, 서비스를 다시 열기 전에 한 번 실행하십시오 (ADR 014)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="바꾸지 않고 셉니다")

    def handle(self, *args, dry_run, **options):
        report = integrity_seal_legacy(dry_run=dry_run)
        for line in report.refused:
            self.stderr.write(line)
        verb = "봉인할" if dry_run else "봉인한"
        self.stdout.write(
            f"{verb} 이력 {report.rows}행 (평가표 {report.chains}개의 이력), "
            f"{verb} 확정 평가표 {report.sheets}개"
        )
        if report.refused:
            raise CommandError(
                f"확정 후 내용이 바뀐 평가표 {len(report.refused)}개는 봉인하지 않았습니다."
            )
