"""Send what the broker lost and what failed, and compute the day's reminders and digest.

    manage.py send_pending_notifications              # one sweep (cron, systemd timer)
    manage.py send_pending_notifications --every 60   # sweep every 60 s until stopped

Delivery happens in this process (it works while Redis is down). Safe to run anywhere and any
number of times at once: each row is claimed before it is sent, and reminders are idempotent
per day and recipient (docs/decisions/012-notifications-outbox.md).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from notifications import schedule, services


class Command(BaseCommand):
    help = "발송 대기·실패 알림을 보내고, 오늘의 마감 안내와 일일 요약을 만듭니다."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="이 간격(초)으로 계속 반복합니다 (0: 한 번)."
        )
        parser.add_argument("--limit", type=int, default=500, help="한 번에 보낼 최대 알림 수")
        parser.add_argument(
            "--no-schedule", action="store_true", help="마감 안내와 일일 요약을 만들지 않습니다."
        )
        parser.add_argument(
            "--heartbeat",
            default="",
            help="매 주기를 마칠 때 이 파일의 수정 시각을 갱신합니다 (컨테이너 상태 확인용).",
        )

    def handle(self, *args, every, limit, no_schedule, heartbeat, **options):
        if every < 0 or limit < 1:
            raise CommandError("--every는 0 이상, --limit은 1 이상이어야 합니다.")
        while True:
            try:
                self.sweep(limit=limit, schedule_too=not no_schedule, quiet=bool(every))
            except (OperationalError, InterfaceError) as exc:
                if not every:
                    raise CommandError(f"데이터베이스에 연결할 수 없습니다: {exc}") from exc
                self.stderr.write(f"데이터베이스에 연결할 수 없어 다음 주기에 다시 합니다: {exc}")
            else:
                if heartbeat:
                    Path(heartbeat).touch()
            if not every:
                return
            time.sleep(every)

    def sweep(self, *, limit: int, schedule_too: bool, quiet: bool) -> None:
        now = timezone.localtime()
        created = 0
        if schedule_too and now.hour >= settings.NOTIFICATIONS_SCHEDULE_HOUR:
            created = schedule.run(now.date())
        counts = services.deliver_pending(limit=limit)
        if created or counts or not quiet:
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "없음"
            self.stdout.write(f"예약 알림 {created}건 생성, 발송 처리: {detail}")
