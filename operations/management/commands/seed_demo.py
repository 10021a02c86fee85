from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from operations import demo


class Command(BaseCommand):
    help = "데모 데이터(계정, 기관, 평가지표, 평가 주기)를 만듭니다. 여러 번 실행해도 안전합니다."

    def handle(self, *args, **options):
        if not settings.SEED_DEMO_ALLOWED:
            raise CommandError(
                "seed_demo는 운영 환경(APP_ENV=production)에서 실행할 수 없습니다. "
                "데모 계정은 공개된 비밀번호를 쓰기 때문입니다."
            )
        with transaction.atomic():
            demo.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("데모 데이터가 준비되었습니다."))
        password = demo.accounts.DEMO_PASSWORD
        accounts = "admin, manager, evaluator1-3, inst1-5"
        self.stdout.write(f"데모 계정 (비밀번호 모두 {password}): {accounts}")
