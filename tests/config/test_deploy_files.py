import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_defines_the_four_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "postgres", "redis"}
    for name in services:
        assert "healthcheck" in services[name], name
    assert "gunicorn" in services["web"]["command"]
    assert "celery" in services["worker"]["command"]


def test_docker_compose_parses_with_docker_compose(tmp_path):
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
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
