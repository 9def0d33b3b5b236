"""The HBase copy's worker pool inside a daemonic process, as Celery's prefork pool runs Airflow tasks."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from smartcar.warehouse.hbase_copy import children_allowed


def _square(n: int) -> int:
    return n * n


def _pool_in_daemon(allowed: bool, result) -> None:
    try:
        ctx = multiprocessing.get_context("spawn")
        if allowed:
            with children_allowed(), ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
                result.put(sorted(pool.map(_square, range(4))))
            result.put(multiprocessing.current_process().daemon)  # the flag is back afterwards
        else:
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
                result.put(sorted(pool.map(_square, range(4))))
    except AssertionError as exc:
        result.put(f"refused: {exc}")


def _run(allowed: bool) -> list[object]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    daemon = ctx.Process(target=_pool_in_daemon, args=(allowed, queue), daemon=True)
    daemon.start()
    daemon.join(120)
    assert daemon.exitcode == 0
    out = [queue.get(timeout=10)]
    if allowed:
        out.append(queue.get(timeout=10))
    return out


def test_a_daemonic_process_is_refused_children_without_it() -> None:
    assert _run(allowed=False) == ["refused: daemonic processes are not allowed to have children"]


def test_children_allowed_runs_the_pool_and_restores_the_flag() -> None:
    assert _run(allowed=True) == [[0, 1, 4, 9], True]
