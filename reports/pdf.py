"""WeasyPrint rendering shared by every report kind.

- One ``FontConfiguration`` per process (worker), created on first use and reused.
- Stylesheets are ``CSS`` objects built with that same ``FontConfiguration``.
- A restrictive URL fetcher: reports embed their CSS and SVG inline, so nothing is fetched
  except ``data:`` URIs. Comments in reports are user text; a ``<img src="http://…">`` or
  ``file:///etc/passwd`` in them is refused, never fetched.
- ``check_pdf_environment`` tells whether WeasyPrint found HarfBuzz's subsetter (without Debian's
  ``libharfbuzz-subset0`` it silently falls back to fontTools, 3-13x slower) and the Korean font.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading

# WeasyPrint logs every layout step at INFO: one line per page per report in a worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

# The CSS names this family; fonts-nanum provides it. Noto Sans CJK KR is a fallback.
KOREAN_FONT_FAMILY = "NanumGothic"

_lock = threading.Lock()
_font_config: FontConfiguration | None = None


class PdfEnvironmentError(RuntimeError):
    pass


class ReportFetcher(URLFetcher):
    """Fetches nothing but ``data:`` URIs."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def font_config() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                _font_config = FontConfiguration()
    return _font_config


def harfbuzz_subset_available() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def korean_font_available() -> bool:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return False
    found = subprocess.run(
        [fc_match, "-f", "%{family}", KOREAN_FONT_FAMILY], capture_output=True, text=True
    ).stdout
    return "Nanum" in found or "Noto Sans CJK" in found


def check_pdf_environment() -> list[str]:
    """Problems that make PDFs slow or wrong, in Korean; empty when all is well."""
    problems = []
    if not harfbuzz_subset_available():
        problems.append(
            "WeasyPrint가 HarfBuzz 서브셋 라이브러리를 찾지 못했습니다. PDF 생성이 3~13배 느려집니다: "
            "apt-get install libharfbuzz-subset0"
        )
    if not korean_font_available():
        problems.append(
            f"한글 글꼴({KOREAN_FONT_FAMILY})이 설치되어 있지 않습니다: apt-get install fonts-nanum"
        )
    return problems


def assert_pdf_environment() -> None:
    problems = check_pdf_environment()
    if problems:
        raise PdfEnvironmentError(" / ".join(problems))


_environment_ok = False


def ensure_pdf_environment() -> None:
    """``assert_pdf_environment`` once per process: a success is remembered, a failure is not
    (the next render checks again)."""
    global _environment_ok
    if not _environment_ok:
        assert_pdf_environment()
        _environment_ok = True


_stylesheets: dict[str, CSS] = {}


def stylesheet(css: str) -> CSS:
    """A parsed ``CSS`` per distinct text, built with this process's ``FontConfiguration``
    (a ``CSS`` with ``@font-face`` must share the one passed to ``write_pdf``)."""
    parsed = _stylesheets.get(css)
    if parsed is None:
        fonts = font_config()  # before taking the lock: font_config() takes it too
        with _lock:
            parsed = _stylesheets.get(css)
            if parsed is None:
                parsed = CSS(string=css, font_config=fonts, url_fetcher=ReportFetcher())
                if len(_stylesheets) < 32:
                    _stylesheets[css] = parsed
    return parsed


def render_pdf(html: str, css: str = "") -> bytes:
    """Render an HTML string with inline CSS to PDF bytes (never ``full_fonts``: fonts are
    embedded as subsets)."""
    fonts = font_config()
    fetcher = ReportFetcher()
    stylesheets = [stylesheet(css)] if css else []
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)
