"""send_pending_notifications: arguments, heartbeat, and the sweep's report line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_refuses_negative_interval():
    with pytest.raises(CommandError, match="--every는 0 이상"):
        call_command("send_pending_notifications", "--every", "-1")


def test_one_sweep_reports_and_touches_the_heartbeat(tmp_path, capsys):
    beat = tmp_path / "beat"
    call_command("send_pending_notifications", "--no-schedule", "--heartbeat", str(beat))
    assert beat.exists()
    assert "발송 처리: 없음" in capsys.readouterr().out
