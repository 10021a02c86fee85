import logging

logger = logging.getLogger(__name__)


def check_pdf_environment_at_worker_start(**kwargs):
    """A worker that would render slow or broken PDFs refuses to start, loudly."""
    from .pdf import assert_pdf_environment

    assert_pdf_environment()
    logger.info("PDF 환경 확인: HarfBuzz 서브셋과 한글 글꼴을 찾았습니다.")
