from django.core.management.base import BaseCommand, CommandError

from evaluation.queries.result_checks import results_differences

from ._tabular import get_cycle


class Command(BaseCommand):
    help = (
        "평가 주기의 모든 결과를 입력값(등급·점수·측정값·건수)에서 다시 계산해 저장된 값과 "
        "비교합니다. 다른 값이 있으면 모두 나열하고 0이 아닌 코드로 끝납니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2026)")
        parser.add_argument(
            "--no-hashes",
            action="store_true",
            help="확정된 평가표 내용의 SHA-256 비교를 건너뜁니다",
        )

    def handle(self, *args, cycle, no_hashes, **options):
        cycle = get_cycle(cycle)
        differences = results_differences(cycle, check_hashes=not no_hashes)
        if differences:
            for line in differences:
                self.stderr.write(line)
            raise CommandError(
                f"평가 주기 {cycle.slug}: 저장된 값과 재계산 값이 다른 곳이 {len(differences)}건 있습니다."
            )
        n = cycle.applications.filter(result__isnull=False).count()
        self.stdout.write(
            self.style.SUCCESS(f"평가 주기 {cycle.slug}: 결과 {n}건이 모두 재계산 값과 같습니다.")
        )
