"""Hand outbox rows to the delivery task once the transaction that wrote them commits.

With a broker, this only publishes (bounded by the broker timeouts in settings); the SMTP
conversation happens in the worker. With no broker (the embedded default, Celery eager) the
task runs in this process: one attempt per row bounded by ``EMAIL_TIMEOUT``, never an inline
retry -- a failed row waits for ``send_pending_notifications``. A publish that fails (Redis
down) leaves the rows queued for the same sweep: nothing is lost.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)

CHUNK = 50  # rows per task message


def enqueue(ids: list[int]) -> None:
    from . import tasks

    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            tasks.deliver_notifications.delay(chunk)
        except Exception:  # noqa: BLE001 -- broker down: the sweep sends these later
            log.warning("notifications %s left queued for the sweep (publish failed)", chunk)
            return


def enqueue_on_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: enqueue(list(ids)))
