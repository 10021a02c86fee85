from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from institutions.models import User
from institutions.people.bulk_import import ImportInvalid, apply_import, plan_import
from institutions.people.queries import can_manage_people


class Command(BaseCommand):
    help = (
        "기관 목록(CSV UTF-8 또는 XLSX; 열: 기관명, 사업자등록번호, 유형, 등록일, 제재 종료일, "
        "담당자 이메일)을 가져옵니다. 같은 사업자등록번호의 기관은 갱신하고, 담당자 이메일로 "
        "초대를 보냅니다. 문제가 하나라도 있으면 아무것도 저장하지 않고 모든 문제를 "
        "행과 열로 출력합니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV(UTF-8) 또는 XLSX 파일")
        parser.add_argument("--by", help="기록에 남길 관리자 아이디 (없으면 '시스템')")
        parser.add_argument(
            "--dry-run", action="store_true", help="미리보기만 하고 저장하지 않습니다"
        )

    def handle(self, *args, file, by, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: 파일이 없습니다")
        actor = None
        if by:
            actor = User.objects.filter(username=by).first()
            if actor is None or not can_manage_people(actor):
                raise CommandError(f"--by {by}: 관리자 계정이 아닙니다")
        try:
            plan = plan_import(path.read_bytes(), path.name)
        except ImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{file}: 가져오지 못했습니다 (문제 {len(exc.problems)}건). "
                "아무것도 저장하지 않았습니다."
            ) from None
        for row in plan.rows:
            detail = "; ".join(row.changes)
            extra = " · 제재 기록" if row.sanction else ""
            extra += f" · 초대 {row.email}" if row.invite else ""
            self.stdout.write(
                f"{row.line}행 {row.action}: {row.name} ({row.number}){extra}"
                + (f" — {detail}" if detail else "")
            )
        if dry_run:
            self.stdout.write(f"미리보기: {plan.summary()} (저장하지 않았습니다)")
            return
        with transaction.atomic():
            apply_import(plan, by=actor)
        self.stdout.write(self.style.SUCCESS(f"가져왔습니다: {plan.summary()}"))
