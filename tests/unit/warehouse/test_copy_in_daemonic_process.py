"""The HBase copy's worker pool inside a Celery-like process: daemonic, with billiard's authkey.

Celery's prefork pool runs each Airflow task in a fork of a billiard pool process; the test builds
that state with billiard itself (Celery's process library, installed with the Celery provider).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from smartcar.warehouse.hbase_copy import children_allowed


def _square(n: int) -> int:
    return n * n


def _pool_in_daemon(allowed: bool | str, result) -> None:
    import billiard.process

    config = multiprocessing.current_process()._config
    config["authkey"] = billiard.process.AuthenticationString(bytes(config["authkey"]))
    try:
        ctx = multiprocessing.get_context("spawn")
        if allowed == "daemon flag only":
            config.pop("daemon")
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
                result.put(sorted(pool.map(_square, range(4))))
        elif allowed:
            with children_allowed(), ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
                result.put(sorted(pool.map(_square, range(4))))
            restored = multiprocessing.current_process()
            result.put(restored.daemon and type(restored._config["authkey"]).__module__ == "billiard.process")
        else:
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
                result.put(sorted(pool.map(_square, range(4))))
    except (AssertionError, TypeError) as exc:
        result.put(f"refused: {exc}")


def _run(allowed: bool | str) -> list[object]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    daemon = ctx.Process(target=_pool_in_daemon, args=(allowed, queue), daemon=True)
    daemon.start()
    daemon.join(120)
    assert daemon.exitcode == 0
    out = [queue.get(timeout=10)]
    if allowed is True:
        out.append(queue.get(timeout=10))
    return out


def test_a_celery_like_process_is_refused_children_without_it() -> None:
    assert _run(allowed=False) == ["refused: daemonic processes are not allowed to have children"]


def test_children_allowed_runs_the_pool_and_restores_both_marks() -> None:
    assert _run(allowed=True) == [[0, 1, 4, 9], True]


def test_lifting_the_daemon_flag_alone_fails_on_billiards_authkey() -> None:
    [outcome] = _run(allowed="daemon flag only")
    assert isinstance(outcome, str) and outcome.startswith("refused: Pickling an AuthenticationString"), outcome
