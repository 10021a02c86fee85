"""Issue 15, finding 5: the client's address behind trusted proxies, one rule for the evidence
access log and django-axes; a header the client writes itself is never believed."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import EvidenceAccess
from institutions.client_ip import client_ip_from

from ..evaluation import files as F

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, 0, "203.0.113.7"),
        # no trusted proxy: the header is ignored, whatever it says
        ("203.0.113.7", "198.51.100.1", 0, "203.0.113.7"),
        # one proxy: the entry it appended
        (PROXY, "198.51.100.1", 1, "198.51.100.1"),
        # the client forged an entry: the proxy appended the real address after it
        (PROXY, "6.6.6.6, 198.51.100.1", 1, "198.51.100.1"),
        # two proxies: the outer one's peer
        (PROXY, "6.6.6.6, 198.51.100.1, 10.0.0.9", 2, "198.51.100.1"),
        # reached the app directly although a proxy is configured: the peer itself
        ("198.51.100.1", None, 1, "198.51.100.1"),
        # garbage in the trusted position: the peer, not the garbage
        (PROXY, "not-an-ip", 1, PROXY),
        ("", "198.51.100.1", 1, None),
    ],
)
def test_client_ip_rule(remote, forwarded, trusted, expected):
    assert client_ip_from(remote, forwarded, trusted) == expected


@pytest.fixture
def pdf(application, member):
    [stored] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("plan.pdf", F.pdf_bytes("plan")), "plan.pdf")],
        by=member,
    )
    return stored


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_access_log_records_the_client_behind_the_proxy(behind_one_proxy, pdf, member, client_for):
    client = client_for(member)
    response = client.get(
        reverse("evaluation:file_download", args=[pdf.pk]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
    )
    assert response.status_code == 200
    assert EvidenceAccess.objects.get().ip == "198.51.100.1"


def test_access_log_ignores_the_header_without_a_trusted_proxy(pdf, member, client_for):
    client_for(member).get(
        reverse("evaluation:file_download", args=[pdf.pk]),
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert EvidenceAccess.objects.get().ip == "203.0.113.7"


def test_axes_records_the_same_address(behind_one_proxy, evaluator):
    Client().post(
        reverse("login"),
        {"username": evaluator.username, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.1"]


def test_password_reset_rate_limit_counts_the_client_behind_the_proxy(behind_one_proxy, rf):
    from institutions.people.common import client_ip

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    assert client_ip(request) == "198.51.100.1"
