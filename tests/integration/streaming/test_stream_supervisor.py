"""The supervisor restarts a kill -9-ed processor well within 60 s."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from streaming.health import read_health
from streaming.processor_pool import supervise

pytestmark = pytest.mark.integration


def _live_pids(settings) -> set[int]:
    return {int(d["pid"]) for d in read_health(settings, stale_after=3)["details"] if d["alive"] and d.get("pid")}


def test_supervisor_restarts_a_killed_processor(stream_settings, child_env, tmp_path, wait_for):
    result = {}
    thread = threading.Thread(
        target=lambda: result.setdefault(
            "report", supervise(duration_s=30, instances=1, env=child_env, log_dir=tmp_path, restart_delay_s=1)
        ),
        daemon=True,
    )
    thread.start()
    wait_for(lambda: len(_live_pids(stream_settings)) == 1, 60, "first processor heartbeat")
    (victim,) = _live_pids(stream_settings)
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: _live_pids(stream_settings) - {victim}, 60, "restarted processor heartbeat")
    back_after = time.monotonic() - killed_at
    thread.join(120)
    report = result["report"]
    assert report.crashes == 1 and report.starts == 2
    assert report.exit_codes[0] == -signal.SIGKILL
    assert report.exit_codes[-1] == 0  # the bounded run ends with a clean SIGTERM stop
    assert back_after < 60
