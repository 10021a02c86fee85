"""Evidence service: every accepted type, random keys, versions, narratives, the access log."""

import contextlib
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from evaluation import services
from evaluation.models import Evidence, EvidenceAccess, EvidenceFile, FileState

from . import files as F
from .helpers import stored_files

pytestmark = pytest.mark.django_db


def _item(application, code="A.1.1"):
    return application.cycle.rubric_version.items.get(code=code)


@pytest.mark.parametrize("kind", sorted(F.ACCEPTED))
def test_each_accepted_type_is_stored_under_a_random_key(
    application, member, kind, _uploads_in_tmp
):
    name, build = F.ACCEPTED[kind]
    content = build()
    [stored] = services.evidence_files_add(
        application=application,
        item=_item(application),
        uploads=[(F.upload(name, content), name)],
        by=member,
    )
    assert (stored.kind, stored.original_name, stored.size) == (kind, name, len(content))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.storage_key.startswith("evidence/")
    key_name = stored.storage_key.rsplit("/", 1)[-1]
    assert len(key_name) == 32 and "." not in key_name  # nothing of the user's name
    assert (Path(_uploads_in_tmp) / stored.storage_key).read_bytes() == content


def test_stored_files_are_not_reachable_by_any_url(application, member, client_for, admin_user):
    from django.conf import settings
    from django.core.files.storage import default_storage

    [stored] = services.evidence_files_add(
        application=application,
        item=_item(application),
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    guesses = [
        settings.MEDIA_URL + stored.storage_key,
        "/media/" + stored.storage_key,
        "/" + stored.storage_key,
    ]
    with contextlib.suppress(ValueError):  # a storage without URLs is even better
        guesses.append(default_storage.url(stored.storage_key))
    for url in guesses:
        assert client_for(admin_user).get(url).status_code == 404, url


def test_replacing_keeps_the_previous_version_until_submission(
    application, member, _uploads_in_tmp
):
    item = _item(application)
    [old] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("v1.pdf", F.pdf_bytes("1")), "v1.pdf")],
        by=member,
    )
    [new] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("v2.pdf", F.pdf_bytes("2")), "v2.pdf")],
        by=member,
        replaces=old,
    )
    old.refresh_from_db()
    assert (old.state, new.state, new.replaces) == (FileState.SUPERSEDED, FileState.CURRENT, old)
    assert old.superseded_at is not None and old.purged_at is None
    assert len(stored_files(_uploads_in_tmp)) == 2


def test_replacing_with_identical_content_is_refused(application, member):
    item = _item(application)
    content = F.pdf_bytes("same")
    [old] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", content), "a.pdf")],
        by=member,
    )
    with pytest.raises(ValidationError, match="바꾸려는 파일과 내용이 같습니다"):
        services.evidence_files_add(
            application=application,
            item=item,
            uploads=[(F.upload("b.pdf", content), "b.pdf")],
            by=member,
            replaces=old,
        )
    old.refresh_from_db()
    assert old.state == FileState.CURRENT


def test_the_same_content_may_be_attached_again_after_it_was_removed(application, member):
    item = _item(application)
    content = F.pdf_bytes("again")
    [first] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", content), "a.pdf")],
        by=member,
    )
    services.evidence_file_remove(file=first, by=member)
    [second] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", content), "a.pdf")],
        by=member,
    )
    assert second.state == FileState.CURRENT


def test_database_refuses_two_current_files_with_the_same_content(application, member):
    item = _item(application)
    [stored] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFile.objects.create(
            evidence=stored.evidence,
            application=application,
            original_name="copy.pdf",
            storage_key="evidence/xx/other",
            size=stored.size,
            sha256=stored.sha256,
            kind="pdf",
            uploaded_by=member,
        )


def test_same_content_in_another_application_is_fine(
    application, other_application, member, other_member
):
    content = F.pdf_bytes("shared template")
    for app, user in ((application, member), (other_application, other_member)):
        services.evidence_files_add(
            application=app,
            item=_item(app),
            uploads=[(F.upload("a.pdf", content), "a.pdf")],
            by=user,
        )
    assert EvidenceFile.objects.count() == 2


def test_a_storage_failure_leaves_no_row_and_no_stored_object(
    application, member, _uploads_in_tmp, monkeypatch
):
    from evaluation.services import evidence as evidence_module

    calls = []
    real_save = evidence_module.storage_save

    def flaky_save(content):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(content)

    monkeypatch.setattr(evidence_module, "storage_save", flaky_save)
    with pytest.raises(OSError):
        services.evidence_files_add(
            application=application,
            item=_item(application),
            uploads=[
                (F.upload("a.pdf", F.pdf_bytes("a")), "a.pdf"),
                (F.upload("b.pdf", F.pdf_bytes("b")), "b.pdf"),
            ],
            by=member,
        )
    assert not EvidenceFile.objects.exists()
    assert stored_files(_uploads_in_tmp) == []


def test_item_of_another_rubric_is_refused(application, member):
    from ..factories import build_rubric

    foreign = build_rubric(code="other").items.get(code="A.1.1")
    with pytest.raises(ValidationError, match="이 신청의 평가지표 항목이 아닙니다"):
        services.evidence_files_add(
            application=application,
            item=foreign,
            uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
            by=member,
        )


def test_outsiders_cannot_write_evidence(application, other_member, admin_user):
    for outsider in (other_member, admin_user):
        with pytest.raises(PermissionDenied):
            services.evidence_files_add(
                application=application,
                item=_item(application),
                uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
                by=outsider,
            )
        with pytest.raises(PermissionDenied):
            services.evidence_narrative_save(
                application=application, item=_item(application), narrative="x", by=outsider
            )


def test_narrative_is_saved_and_limited(application, member):
    item = _item(application)
    services.evidence_narrative_save(
        application=application, item=item, narrative="  운영계획서를 첨부합니다.\x00 ", by=member
    )
    assert Evidence.objects.get().narrative == "운영계획서를 첨부합니다."
    with pytest.raises(ValidationError, match="설명이 너무 깁니다 \\(20001자, 최대 20000자\\)"):
        services.evidence_narrative_save(
            application=application, item=item, narrative="가" * 20_001, by=member
        )
    assert Evidence.objects.get().narrative == "운영계획서를 첨부합니다."


def test_access_record(application, member, manager):
    [stored] = services.evidence_files_add(
        application=application,
        item=_item(application),
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    services.evidence_access_record(file=stored, user=manager, ip="10.0.0.7", purpose="download")
    access = EvidenceAccess.objects.get()
    assert (access.user, access.file, access.application, access.ip, access.purpose) == (
        manager,
        stored,
        application,
        "10.0.0.7",
        "download",
    )
