"""Demo users and institutions for ``manage.py seed_demo``. Idempotent."""

from datetime import date

from institutions.models import Institution, InstitutionType, User
from institutions.roles import Role
from institutions.services import membership_add, roles_sync, user_grant_role

DEMO_PASSWORD = "demo1234!"

# (username, name, role)
DEMO_STAFF = [
    ("admin", "김관리", Role.ADMIN),
    ("manager", "이책임", Role.MANAGER),
    ("evaluator1", "박평가", Role.EVALUATOR),
    ("evaluator2", "최평가", Role.EVALUATOR),
    ("evaluator3", "정평가", Role.EVALUATOR),
]

# (username, member name, institution name, 사업자등록번호, type, registered on)
DEMO_INSTITUTIONS = [
    ("inst1", "한담당", "한빛잡정보", "1234567891", InstitutionType.WIDE, date(2015, 3, 2)),
    ("inst2", "오담당", "누리커리어", "2208162517", InstitutionType.WIDE, date(2012, 7, 16)),
    ("inst3", "서담당", "다온일자리", "1048145220", InstitutionType.REGIONAL, date(2018, 1, 10)),
    ("inst4", "문담당", "푸른직업정보", "1138129898", InstitutionType.REGIONAL, date(2019, 9, 1)),
    ("inst5", "강담당", "새봄채용", "2148837725", InstitutionType.WIDE, date(2020, 5, 20)),
]


def _user(username: str, name: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"name": name})
    if created:
        user.email = f"{username}@example.invalid"
        user.set_password(DEMO_PASSWORD)
        user.save()
    elif not user.email:  # an older demo database: every demo account gets its notices
        user.email = f"{username}@example.invalid"
        user.save(update_fields=["email"])
    return user


def seed() -> dict:
    roles_sync()
    users = {}
    for username, name, role in DEMO_STAFF:
        users[username] = user = _user(username, name)
        user_grant_role(user=user, role=role)
    institutions = {}
    for username, member_name, inst_name, number, kind, registered in DEMO_INSTITUTIONS:
        institution, _ = Institution.objects.get_or_create(
            business_number=number,
            defaults={
                "name": inst_name,
                "type": kind,
                "registered_on": registered,
                "contact_name": member_name,
                "contact_email": f"{username}@example.invalid",
            },
        )
        users[username] = user = _user(username, member_name)
        user_grant_role(user=user, role=Role.INSTITUTION)
        membership_add(user=user, institution=institution)
        institutions[username] = institution
    return {"users": users, "institutions": institutions}
