"""A real Celery worker whose renders are slow, for the tests of worker loss:
``python -m tests.reports.slow_worker SECONDS worker --loglevel=INFO …``.

A test that kills a worker mid-render needs a render that lasts long enough to be killed. The
delay is a wrapper around the renderer (``reports.rendering._render_files``), put in place in
this process before the worker forks its pool, so production code carries no hook for it
(issue 11, part 5). Started by ``worker.start_worker(render_delay=…)``.
"""

from __future__ import annotations

import sys
import time


def slow(render, seconds: float):
    def slow_render(report):
        time.sleep(seconds)
        return render(report)

    return slow_render


def main(argv: list[str]) -> None:
    seconds, celery_argv = float(argv[0]), argv[1:]
    import django

    from config.celery import app  # sets DJANGO_SETTINGS_MODULE, as ``celery -A config`` does

    django.setup()
    from reports import rendering

    rendering._render_files = slow(rendering._render_files, seconds)
    app.worker_main(argv=celery_argv)


if __name__ == "__main__":
    main(sys.argv[1:])
