import logging

logger = logging.getLogger(__name__)


def check_pdf_environment_at_worker_start(**kwargs):
    """A worker that would render slow or broken PDFs refuses to start, loudly."""
    from .pdf import assert_pdf_environment

    try:
        assert_pdf_environment()
    except Exception as exc:
        # Celery logs and swallows an exception raised by a signal handler, and the worker
        # would report "ready" anyway; SystemExit is not swallowed: the worker stops here.
        logger.critical("PDF 환경 오류로 작업자를 시작하지 않습니다: %s", exc)
        raise SystemExit(f"PDF 환경 오류: {exc}") from exc
    logger.info("PDF 환경 확인: HarfBuzz 서브셋과 한글 글꼴을 찾았습니다.")
