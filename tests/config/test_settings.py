"""Production mode refuses to start without its variables, and passes ``check --deploy``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "APP_ENV": "production",
    "SECRET_KEY": "x7Wq-k9$Zp!2vQ7@wLm4#xR8&tY1^cB6*nH3(eJ5)uF0-sD9+gA2=",
    "INTEGRITY_KEY": "Jq3-vN8$Lr!5wT2@pXe7#kM4&zB9^hD1*cF6(gS0)yU3-aR8+tW5=",
    "ALLOWED_HOSTS": "cert.example.go.kr",
    "DATABASE_URL": "postgres://certeval@127.0.0.1:5432/certeval",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_names_every_missing_variable():
    result = _manage("check", APP_ENV="production")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
        assert name in result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_names_the_one_missing_variable(missing):
    env = dict(GOOD)
    env[missing] = None
    result = _manage("check", **env)
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert missing in line
    assert all(name not in line for name in GOOD if name not in (missing, "APP_ENV"))


def test_production_refuses_sqlite():
    result = _manage("check", **{**GOOD, "DATABASE_URL": "sqlite:///tmp/x.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL DATABASE_URL" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_seed_demo_refuses_production():
    result = _manage("seed_demo", **GOOD)
    assert result.returncode != 0
    assert "운영 환경" in result.stderr


def test_default_mode_is_embedded(settings):
    from django.conf import settings as live

    assert live.LANGUAGE_CODE == "ko-kr"
    assert live.TIME_ZONE == "Asia/Seoul"
    assert live.USE_TZ is True
    assert live.STORAGES["default"]["OPTIONS"]["base_url"] is None
    assert str(live.MEDIA_ROOT).startswith(str(ROOT / "var")) or os.environ.get("MEDIA_ROOT")


def test_storage_backend_s3_is_chosen_by_environment_variables():
    """Production files on S3-compatible storage: the settings branch itself, as the
    environment selects it (the S3 behaviour is tested against moto in test_storage_s3)."""
    s3 = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "certeval-evidence",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_REGION_NAME": "ap-northeast-2",
        "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    result = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))",
        **GOOD,
        **s3,
    )
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "certeval-evidence"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["region_name"] == "ap-northeast-2"
    assert (options["access_key"], options["secret_key"]) == ("key-id", "secret")
    assert options["querystring_auth"] is True and options["default_acl"] is None
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("x", "1 characters, fewer than 50"),
        ("ab" * 40, "2 distinct characters, fewer than 5"),
        ("django-insecure-" + "k9$Zp!2vQ7@wLm4#xR8&tY1^cB6*nH3(eJ5)uF0-", "django-insecure-"),
    ],
)
def test_production_refuses_a_weak_secret_key(key, why):
    """Issue 15, finding 6: ``SECRET_KEY=x`` started in production."""
    result = _manage("check", **{**GOOD, "SECRET_KEY": key})
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert "weak SECRET_KEY" in line and why in line
    assert len(key) < 3 or key not in line  # the secret itself is never echoed


@pytest.mark.parametrize(
    ("key", "why"),
    [
        (None, "requires INTEGRITY_KEY"),
        ("short", "weak INTEGRITY_KEY: 5 characters, fewer than 50"),
        (GOOD["SECRET_KEY"], "weak INTEGRITY_KEY: it equals SECRET_KEY"),
    ],
)
def test_production_requires_a_strong_integrity_key(key, why):
    """Issue 15, finding 2: the seals are keyed with a secret outside the database."""
    result = _manage("check", **{**GOOD, "INTEGRITY_KEY": key})
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert why in line
