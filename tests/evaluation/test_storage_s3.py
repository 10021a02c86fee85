"""Evidence on S3 (STORAGE_BACKEND=s3, django-storages) against moto's server on 127.0.0.1."""

import hashlib
import socket
import uuid

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import EvidenceAccess, FileState

from . import files as F
from .helpers import post_files

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bucket():
    return f"certeval-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3(settings, monkeypatch, bucket):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-2",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="ap-northeast-2")
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "ap-northeast-2",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


def test_upload_download_and_purge_on_s3(
    s3, bucket, client_for, member, manager, application, django_capture_on_commit_callbacks
):
    content = F.pdf_bytes("s3 evidence")
    client = client_for(member)
    assert post_files(client, application, [("원본.pdf", content)]).status_code == 302
    [stored] = application.evidence_files.all()
    obj = s3.get_object(Bucket=bucket, Key=stored.storage_key)
    assert hashlib.sha256(obj["Body"].read()).hexdigest() == stored.sha256

    response = client_for(manager).get(reverse("evaluation:file_download", args=[stored.pk]))
    assert b"".join(response.streaming_content) == content
    assert EvidenceAccess.objects.get().user == manager

    # Replace, then submit: the previous version is deleted from the bucket on commit.
    [new] = services.evidence_files_add(
        application=application,
        item=stored.evidence.item,
        uploads=[(F.upload("최종.pdf", F.pdf_bytes("final")), "최종.pdf")],
        by=member,
        replaces=stored,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=member)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert keys == {new.storage_key}
    stored.refresh_from_db()
    assert stored.state == FileState.SUPERSEDED and stored.purged_at is not None


def test_refused_upload_leaves_the_bucket_empty(s3, bucket, client_for, member, application):
    response = post_files(client_for(member), application, [("악성.pdf", F.EXE_BYTES)])
    assert response.status_code == 400
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
