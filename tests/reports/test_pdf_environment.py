import shutil
import subprocess

import pytest

from reports import pdf

from ..conftest import REQUIRE_SERVICES


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRE_SERVICES:
            pytest.fail(f"{name} is required (apt-get install poppler-utils)")
        pytest.skip(f"{name} not installed")
    return path


def test_this_machine_has_harfbuzz_subset_and_the_korean_font():
    assert pdf.check_pdf_environment() == []


def test_font_configuration_is_reused_within_a_process():
    assert pdf.font_config() is pdf.font_config()


def test_missing_harfbuzz_subset_is_reported(monkeypatch):
    monkeypatch.setattr(pdf, "harfbuzz_subset_available", lambda: False)
    problems = pdf.check_pdf_environment()
    assert len(problems) == 1 and "libharfbuzz-subset0" in problems[0]
    with pytest.raises(pdf.PdfEnvironmentError, match="libharfbuzz-subset0"):
        pdf.assert_pdf_environment()


def test_korean_pdf_embeds_a_nanum_subset_and_gives_back_its_text(tmp_path):
    html = "<h1>결과보고서</h1><p>한빛잡정보 총점 812.50점 — 인증</p>"
    css = f"body {{ font-family: {pdf.KOREAN_FONT_FAMILY}; }}"
    out = tmp_path / "r.pdf"
    out.write_bytes(pdf.render_pdf(html, css))
    text = subprocess.run(
        [_tool("pdftotext"), str(out), "-"], capture_output=True, text=True
    ).stdout
    assert "결과보고서" in text and "한빛잡정보 총점 812.50점" in text
    fonts = subprocess.run([_tool("pdffonts"), str(out)], capture_output=True, text=True).stdout
    nanum = [line for line in fonts.splitlines() if "Nanum" in line]
    assert nanum, fonts
    # pdffonts columns: name type encoding emb sub uni ...; a subset name has a "ABCDEF+" prefix
    assert all("+" in line.split()[0] for line in nanum)
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in nanum), fonts


def test_remote_and_local_urls_in_user_text_are_not_fetched(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    fetched = []
    original = pdf.ReportFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.ReportFetcher, "fetch", spy)
    html = (
        f'<p>코멘트</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
        f'<link rel="stylesheet" href="file://{secret}">'
    )
    data = pdf.render_pdf(html, "body { font-family: NanumGothic; }")
    assert data.startswith(b"%PDF")
    assert fetched  # WeasyPrint asked ...
    assert b"SECRET" not in data  # ... and got nothing


# Sent without a worker instance, Celery's Django fix-up warns and does nothing else.
@pytest.mark.filterwarnings("ignore:DjangoFixup.on_worker_init")
def test_a_worker_without_harfbuzz_subset_refuses_to_start(monkeypatch, caplog):
    """Sent through Celery's own ``worker_init`` signal, as a starting worker does: Celery
    swallows an ordinary exception from a handler (the worker would say "ready" and render
    slow PDFs), so the check must stop the process with SystemExit."""
    from celery.signals import worker_init

    monkeypatch.setattr(pdf, "harfbuzz_subset_available", lambda: False)
    with pytest.raises(SystemExit, match="libharfbuzz-subset0"):
        worker_init.send(sender=None)
    assert any(r.levelname == "CRITICAL" for r in caplog.records)


@pytest.mark.filterwarnings("ignore:DjangoFixup.on_worker_init")
def test_a_worker_with_a_sound_pdf_environment_starts():
    from celery.signals import worker_init

    worker_init.send(sender=None)  # raises nothing
