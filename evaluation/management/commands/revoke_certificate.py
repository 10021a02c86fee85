from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.models import Certification
from evaluation.services.certification import certification_revoke


class Command(BaseCommand):
    help = (
        "인증서를 취소합니다 (인증 취소). 공개 진위 확인 페이지는 그때부터 '취소'와 날짜를 "
        "보여 줍니다. 되돌릴 수 없습니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="인증번호 (예: 제2026-0001호)")
        parser.add_argument("--by", required=True, help="취소를 처리하는 관리자의 사용자 이름")
        parser.add_argument("--reason", required=True, help="취소 사유 (기록되고 공개되지 않음)")
        parser.add_argument(
            "--programme", help="인증 프로그램(평가지표 코드): 같은 번호가 여러 프로그램에 있을 때"
        )

    def handle(self, *args, number, by, reason, programme, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"'{by}' 사용자가 없습니다.")
        matches = Certification.objects.filter(number=number.strip())
        if programme:
            matches = matches.filter(programme=programme)
        found = list(matches.select_related("institution")[:2])
        if not found:
            raise CommandError(f"인증번호 '{number}'인 인증서가 없습니다.")
        if len(found) > 1:
            programmes = ", ".join(
                matches.order_by("programme").values_list("programme", flat=True)
            )
            raise CommandError(
                f"'{number}' 인증번호가 여러 프로그램({programmes})에 있습니다: "
                "--programme으로 하나를 고르십시오."
            )
        try:
            revoked = certification_revoke(certification=found[0], by=user, reason=reason)
        except PermissionDenied as exc:
            raise CommandError(
                f"'{by}' 사용자는 관리자가 아니어서 인증서를 취소할 수 없습니다."
            ) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"인증서({revoked.number}, {revoked.institution.name})를 "
            f"{revoked.revoked_on:%Y-%m-%d}에 취소했습니다."
        )
