"""The embedded runtime: starts, checks and stops the platform's services on 127.0.0.1.

Production runs the same code against real Kafka, HBase, HiveServer2, Redis and PostgreSQL
(``docker-compose.yaml``); this package only exists so one machine can run the whole platform
with real protocols. Entry points: :func:`up`, :func:`down`, :func:`status`.
"""

from smartcar.runtime.supervisor import RuntimeError_, down, status, up

__all__ = ["RuntimeError_", "down", "status", "up"]
