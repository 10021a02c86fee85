from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.models import STAGE_ORDER, Stage
from evaluation.services.cycles import GateBlocked, cycle_advance_stage, cycle_advance_to
from institutions.models import User

from ._tabular import get_cycle


class Command(BaseCommand):
    help = (
        "평가 주기를 한 단계(또는 --to 단계까지 한 단계씩) 진행합니다. 각 단계의 진행 조건을 "
        "화면과 똑같이 검사하며, 조건이 맞지 않으면 막는 이유를 모두 출력하고 코드 1로 "
        "끝납니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="평가 주기의 주소 이름 (예: demo-2026)")
        parser.add_argument("--by", required=True, help="진행하는 관리자의 사용자 이름")
        parser.add_argument(
            "--to", choices=STAGE_ORDER, help="이 단계까지 진행 (기본: 다음 단계 하나)"
        )
        parser.add_argument("--reason", default="", help="신청 마감 전에 닫을 때의 조기 마감 사유")

    def handle(self, *args, cycle, by, to, reason, **options):
        cycle = get_cycle(cycle)
        user = User.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"'{by}' 사용자가 없거나 비활성 상태입니다.")
        start = cycle.get_stage_display()
        try:
            if to:
                cycle = cycle_advance_to(cycle=cycle, by=user, to=to, reason=reason)
            else:
                cycle = cycle_advance_stage(
                    cycle=cycle, by=user, expected_stage=cycle.stage, reason=reason
                )
        except GateBlocked as exc:
            for blocker in exc.blockers:
                self.stderr.write(f"- {blocker.message}")
            cycle.refresh_from_db()
            raise CommandError(
                f"평가 주기 {cycle.slug}: '{cycle.get_stage_display()}' 단계에서 넘어갈 수 "
                f"없습니다 (막는 이유 {len(exc.blockers)}건).",
                returncode=1,
            ) from exc
        except (PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [
                str(exc) or "관리자만 진행할 수 있습니다."
            ]
            raise CommandError(" ".join(messages), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"평가 주기 {cycle.slug}: '{start}' → '{Stage(cycle.stage).label}' 단계로 "
                "진행했습니다."
            )
        )
