"""Issue 14, item 13: Korean 404, 403, 400 in the base layout and a standalone 500, in
production mode (DEBUG=False)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.config.error_urls"),
]

PROD = override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])


def _text(response) -> str:
    return response.content.decode()


@PROD
def test_unknown_address_is_a_korean_404_in_the_base_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = _text(response)
    assert "페이지를 찾을 수 없습니다" in text
    assert 'data-testid="error-404"' in text
    assert 'aria-label="주 메뉴"' in text  # the base layout's navigation
    assert "/accounts/login/?next=/no-such-page/" in text
    assert "Not Found" not in text


@PROD
def test_a_denial_is_the_same_korean_404_with_the_users_own_menu(
    client_for, other_member, application
):
    response = client_for(other_member).get(reverse("evaluation:checklist", args=[application.pk]))
    assert response.status_code == 404
    text = _text(response)
    assert "페이지를 찾을 수 없습니다" in text and "관리자에게 권한을 요청하십시오" in text
    assert 'data-testid="whoami"' in text


@PROD
def test_permission_denied_is_a_korean_403_in_the_base_layout(client_for, member):
    response = client_for(member).get("/test-errors/403/")
    assert response.status_code == 403
    text = _text(response)
    assert "접근할 수 없습니다" in text and 'aria-label="주 메뉴"' in text


@PROD
def test_bad_request_is_a_korean_400_in_the_base_layout(client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    text = _text(response)
    assert "잘못된 요청입니다" in text and 'aria-label="주 메뉴"' in text


@PROD
def test_a_disallowed_host_is_the_korean_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "잘못된 요청입니다" in _text(response)


@PROD
def test_csrf_failure_is_a_korean_403(member, application):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("evaluation:narrative_save", args=[application.pk, "A.1.1"]), {"narrative": "x"}
    )
    assert response.status_code == 403
    assert "보안 확인에 실패했습니다" in _text(response)
    assert not application.evidences.exists()  # nothing was saved


@PROD
def test_server_error_is_the_standalone_korean_500():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    text = _text(response)
    assert "서버 오류가 발생했습니다" in text
    assert 'aria-label="주 메뉴"' not in text  # standalone: nothing that could fail again
