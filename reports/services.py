"""Writes of the reports app: request a report, render it, record downloads.

Lifecycle of a ``Report``: ``queued`` → ``running`` → ``done`` (with its file) or ``failed``
(with an error a user can read). Only these modules change it, one idea each:

- ``reports.requests``: request a report (de-duplicated by the hash of its inputs);
- ``reports.breaker``: hand renders to the broker, and leave a failed broker alone a while
  (docs/decisions/010-broker-outage.md);
- ``reports.rendering``: claim, render and store (called by the Celery task);
- ``reports.batches``: a batch's progress, and its ZIP once every part is finished;
- here: the access log of downloads.

The names below are the app's public interface; callers import them from here.
"""

from __future__ import annotations

from django.db import transaction

from .batches import _after_finish, _batch_progress  # noqa: F401
from .breaker import (  # noqa: F401
    _enqueue,
    _enqueue_on_commit,
    broker_rest,
    broker_unreachable,
    report_send_pending,
    stale_after,
)
from .models import Report, ReportAccess
from .rendering import (  # noqa: F401
    RETRYABLE_ERRORS,
    TRANSIENT_ERRORS,
    ReportError,
    StorageUnavailable,
    _claim,
    _storage_key,
    _store,
    max_attempts,
    report_fail,
    report_render,
    retry_delay,
)
from .requests import (  # noqa: F401
    _live,
    input_hash,
    report_request_batch,
    report_request_certification,
    report_request_result,
    report_request_sheet,
    report_request_summary,
)

# --- downloads -------------------------------------------------------------------------------


@transaction.atomic
def report_access_record(*, report: Report, user, ip: str | None, fmt: str) -> ReportAccess:
    return ReportAccess.objects.create(report=report, user=user, ip=ip, format=fmt)
