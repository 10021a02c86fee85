import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_defines_the_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "notifier", "postgres", "redis"}
    for name in services:
        assert "healthcheck" in services[name], name
    assert "gunicorn" in services["web"]["command"]
    assert "celery" in services["worker"]["command"]
    assert "send_pending_notifications --every" in services["notifier"]["command"]


def test_docker_compose_parses_with_docker_compose(tmp_path):
    tool = shutil.which("docker-compose")
    if tool is None:
        service_unavailable("docker-compose is not installed (apt-get install docker-compose)")
    env_file = ROOT / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text((ROOT / ".env.example").read_text())
    try:
        result = subprocess.run(
            [tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr


def test_dockerfile_installs_weasyprint_libraries_and_korean_font():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-nanum"):
        assert package in dockerfile


def test_web_health_probe_is_not_refused_by_allowed_hosts():
    """The compose probe runs inside the container against 127.0.0.1, which production's
    ALLOWED_HOSTS does not list: it must send an allowed name as Host, or the probe gets a 400
    (DisallowedHost) and the web service never turns healthy."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    probe = compose["services"]["web"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"]
    # Run the probe's own code in production mode, with urlopen answered by Django's test
    # client instead of a socket: whatever it sends is what Django sees.
    script = (
        "import django, urllib.request as u\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "def urlopen(req, timeout):\n"
        "    host = getattr(req, 'get_header', lambda name: '127.0.0.1:8000')('Host')\n"
        "    r = Client().get('/healthz', headers={'host': host})\n"
        "    print('STATUS', r.status_code)\n"
        "    class A: status = r.status_code\n"
        "    return A\n"
        "u.urlopen = urlopen\n"
        "try:\n"
        f"    exec({probe[3]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env.update(
        APP_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="x7Wq-k9$Zp!2vQ7@wLm4#xR8&tY1^cB6*nH3(eJ5)uF0-sD9+gA2=",
        INTEGRITY_KEY="Jq3-vN8$Lr!5wT2@pXe7#kM4&zB9^hD1*cF6(gS0)yU3-aR8+tW5=",
        ALLOWED_HOSTS="cert.example.go.kr,.example.go.kr",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "STATUS" in result.stdout, result.stderr
    status = int(result.stdout.split("STATUS")[1].split()[0])
    # 200 with both services up, 503 when one is down; never 400 (DisallowedHost).
    assert status in (200, 503), (status, result.stderr[-2000:])
