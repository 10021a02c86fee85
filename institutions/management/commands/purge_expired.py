from django.core.management.base import BaseCommand

from institutions.people.retention import purge_expired


class Command(BaseCommand):
    help = (
        "보유기간(settings.RETENTION)이 지난 개인정보와 자료를 파기하고 규칙마다 파기 기록을 "
        "남깁니다. 인증서나 처리 중인 이의신청이 아직 필요로 하는 자료는 남깁니다."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="파기할 대상만 보여 주고 아무것도 지우지 않습니다",
        )

    def handle(self, *args, dry_run, **options):
        total = 0
        for outcome in purge_expired(dry_run=dry_run):
            rule = outcome.rule
            count = len(outcome.due) if dry_run else outcome.destroyed
            total += count
            verb = "파기 예정" if dry_run else "파기"
            self.stdout.write(
                f"{rule.label} (보유기간 {outcome.days}일): {verb} {count}건, "
                f"보존 유지 {len(outcome.held)}건"
            )
            for obj, reason in outcome.held:
                self.stdout.write(f"  보존: {rule.describe(obj)} — {reason}")
        if dry_run:
            self.stdout.write(f"미리보기: 모두 {total}건 (아무것도 지우지 않았습니다)")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"파기 완료: 모두 {total}건, 파기 기록을 남겼습니다")
            )
