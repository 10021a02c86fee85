"""Celery tasks of the reports app: thin, they load by id and call the service.

``acks_late`` + ``reject_on_worker_lost``: a render whose worker dies is redelivered, not lost.
The service counts attempts on the row, so a task that keeps killing its worker is failed after
``REPORTS_MAX_ATTEMPTS`` instead of looping. Transient database errors are retried with
exponential backoff.
"""

from celery import shared_task

from . import services

# Retries for transient errors (the database went away). Each retry that reaches the row also
# counts as an attempt there, so the row's own limit usually ends things first.
MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def render_report(self, report_id: int):
    try:
        services.report_render(report_id=report_id)
    except services.RETRYABLE_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            what = (
                "파일 저장소 오류가"
                if isinstance(exc, services.StorageUnavailable)
                else "데이터베이스 연결 오류가"
            )
            services.report_fail(
                report_id=report_id,
                message=f"{what} 계속되어 보고서를 만들지 못했습니다. 잠시 후 다시 요청하십시오.",
            )
            raise
        if self.request.is_eager:
            # No broker (development default, tests): retry at once, in this process.
            # Returning the Retry makes Celery's eager apply() run the retry; raising it would
            # propagate out of the caller instead.
            return self.retry(exc=exc, throw=False)
        raise self.retry(exc=exc, countdown=services.retry_delay(self.request.retries)) from exc
