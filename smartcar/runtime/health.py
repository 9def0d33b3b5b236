"""Small readiness probes shared by the service definitions."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(
    check: Callable[[], bool], timeout: float, interval: float = 0.25, alive: Callable[[], bool] | None = None
) -> bool:
    """Poll ``check`` until it is true, ``timeout`` passes, or ``alive`` says the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:
            pass
        if alive is not None and not alive():
            return False
        time.sleep(interval)
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
