"""Celery task of the notifications app: thin, it loads rows by id and calls the service.

A row whose send failed is marked failed on the row (with the server's reason and the time of
its next attempt); this task then schedules a retry of those rows with exponential backoff.
Under eager Celery (no broker) it does not retry in-process: the sweep does.
"""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notifications(self, notification_ids: list[int]):
    outcomes = services.notifications_deliver(notification_ids=notification_ids)
    retry = [pk for pk, outcome in outcomes.items() if outcome == services.Outcome.RETRY]
    if retry and not self.request.is_eager:
        deliver_notifications.apply_async((retry,), countdown=services.retry_countdown(retry))
