"""Issue 15, finding 3: archives keep Django admin's change log and the log-in records, are
private to their owner (0700/0600 whatever the umask) and can be encrypted with a key from the
environment."""

import io
import json
import os
import stat

import pytest
from axes.models import AccessLog
from cryptography.fernet import Fernet
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from institutions.models import User
from institutions.roles import Role
from institutions.services import roles_sync, user_grant_role
from operations.backup import _walk_storage

pytestmark = pytest.mark.django_db(transaction=True)


def _wipe():
    call_command("flush", interactive=False, verbosity=0)
    for name in _walk_storage(default_storage):
        default_storage.delete(name)


@pytest.fixture
def seeded():
    """A small system: two users with roles, a stored file, a Django admin change-log entry and
    a log-in record (seed_demo would do, but it is slower)."""
    roles_sync()
    admin = User.objects.create_user("admin", password="demo1234!", name="김관리")
    user_grant_role(user=admin, role=Role.ADMIN)
    member = User.objects.create_user("inst1", password="demo1234!", name="한담당")
    user_grant_role(user=member, role=Role.EVALUATOR)
    default_storage.save("certificates/isms.pdf", ContentFile(b"%PDF-1.4 certificate"))
    LogEntry.objects.log_actions(
        user_id=admin.pk,
        queryset=User.objects.filter(username="inst1"),
        action_flag=CHANGE,
        change_message="is_superuser 변경 시도",
        single_object=True,
    )
    AccessLog.objects.create(username="admin", ip_address="198.51.100.1", user_agent="t")
    return admin


def _modes(root):
    found = {}
    for directory, _subdirs, files in os.walk(root):
        found[directory] = stat.S_IMODE(os.stat(directory).st_mode)
        for name in files:
            path = os.path.join(directory, name)
            found[path] = stat.S_IMODE(os.stat(path).st_mode)
    return found


def test_archive_is_private_and_keeps_the_admin_change_log(seeded, tmp_path):
    old_umask = os.umask(0o022)
    try:
        archive = tmp_path / "backup"
        call_command("backup", out=archive, stdout=io.StringIO())
    finally:
        os.umask(old_umask)
    modes = _modes(archive)
    assert len(modes) > 3
    wrong = {
        path: oct(mode)
        for path, mode in modes.items()
        if mode != (0o700 if os.path.isdir(path) else 0o600)
    }
    assert wrong == {}
    dump = json.loads((archive / "database.json").read_text())
    models = {row["model"] for row in dump}
    assert {"admin.logentry", "axes.accesslog", "institutions.accountaudit"} <= models

    _wipe()
    call_command("restore", str(archive), stdout=io.StringIO())
    entry = LogEntry.objects.get()
    assert (entry.user.username, entry.change_message, entry.content_type) == (
        "admin",
        "is_superuser 변경 시도",
        ContentType.objects.get_for_model(User),
    )
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [
        ("admin", "198.51.100.1")
    ]


def test_encrypted_archive_round_trip_and_refusals(seeded, tmp_path, settings):
    key = Fernet.generate_key().decode()
    settings.BACKUP_ENCRYPTION_KEY = key
    archive = tmp_path / "backup"
    call_command("backup", out=archive, stdout=io.StringIO())
    manifest = json.loads((archive / "manifest.json").read_text())
    assert manifest["encryption"] == "fernet"
    raw = (archive / "database.json").read_bytes()
    assert b"inst1" not in raw and "김관리".encode() not in raw
    a_file = next(iter(manifest["files"]))
    plain = default_storage.open(a_file).read()
    assert (archive / "files" / a_file).read_bytes() != plain
    _wipe()

    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY 환경변수로"):
        call_command("restore", str(archive), stdout=io.StringIO())
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="복호화할 수 없습니다"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert not User.objects.exists()

    settings.BACKUP_ENCRYPTION_KEY = key
    call_command("restore", str(archive), stdout=io.StringIO())
    assert User.objects.get(username="inst1").check_password("demo1234!")
    assert default_storage.open(a_file).read() == plain
