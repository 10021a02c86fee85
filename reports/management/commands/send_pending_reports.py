"""Hand to the broker every report whose render it does not hold: requested while Redis was
unreachable ("작업자 대기 중"), or handed over so long ago that the message must be lost.

    manage.py send_pending_reports              # one sweep (cron, systemd timer)
    manage.py send_pending_reports --every 60   # sweep every 60 s until stopped

Safe to run anywhere and any number of times at once: each send is claimed on the row first,
and a render skips finished reports (docs/decisions/010-broker-outage.md).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from reports import services


class Command(BaseCommand):
    help = "작업 대기열(브로커)에 전달되지 않은 보고서를 다시 전달합니다."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="이 간격(초)으로 계속 반복합니다 (0: 한 번)."
        )
        parser.add_argument("--limit", type=int, default=500, help="한 번에 전달할 최대 보고서 수")

    def handle(self, *args, every, limit, **options):
        if every < 0 or limit < 1:
            raise CommandError("--every는 0 이상, --limit은 1 이상이어야 합니다.")
        while True:
            try:
                sent = services.report_send_pending(limit=limit)
            except (OperationalError, InterfaceError) as exc:
                if not every:
                    raise CommandError(f"데이터베이스에 연결할 수 없습니다: {exc}") from exc
                self.stderr.write(f"데이터베이스에 연결할 수 없어 다음 주기에 다시 합니다: {exc}")
            else:
                if sent or not every:
                    self.stdout.write(f"보고서 {sent}건을 작업 대기열에 전달했습니다.")
                if services.broker_unreachable():
                    message = (
                        "작업 대기열(브로커)에 연결할 수 없어 남은 보고서는 다음에 전달합니다."
                    )
                    if not every:
                        raise CommandError(message)
                    self.stderr.write(message)
            if not every:
                return
            time.sleep(every)
