"""Notifications of the platform through Airflow's notifier mechanism.

:class:`SmartcarNotifier` is a ``BaseNotifier``: use it as ``on_failure_callback`` (or call
:meth:`~SmartcarNotifier.notify` from a task) for a data-quality failure or a stalled stream.
It always logs; it also POSTs JSON to ``settings.notify_webhook_url`` and sends e-mail via
``settings.smtp_host`` to ``settings.notify_email_to`` when those are set. A delivery failure
is logged and never fails the task that notifies (the log line is the record of last resort).
Hand-written on stdlib (urllib, smtplib) because the provider notifiers each need their own
Airflow connection, while the platform configures everything from ``SMARTCAR_*`` settings.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

from smartcar.settings import Settings, get_settings

log = logging.getLogger("smartcar.airflow.notifications")


def deliver(
    title: str, message: str, details: dict[str, Any] | None = None, settings: Settings | None = None
) -> list[str]:
    """Log, then send to every configured channel; returns the channels that were reached."""
    s = settings or get_settings()
    payload = {"title": title, "text": f"{title}\n{message}", "details": details or {}}
    log.error("NOTIFICATION %s: %s", title, message)
    reached = ["log"]
    if s.notify_webhook_url:
        try:
            request = urllib.request.Request(
                s.notify_webhook_url,
                data=json.dumps(payload, default=str).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            reached.append("webhook")
        except OSError as exc:
            log.warning("webhook notification to %s failed: %s", s.notify_webhook_url, exc)
    if s.notify_email_to:
        mail = EmailMessage()
        mail["Subject"] = f"[smartcar] {title}"
        mail["From"] = s.smtp_from
        mail["To"] = s.notify_email_to
        mail.set_content(f"{message}\n\n{json.dumps(details or {}, indent=2, default=str, ensure_ascii=False)}")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
                smtp.send_message(mail)
            reached.append("email")
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail notification via %s:%s failed: %s", s.smtp_host, s.smtp_port, exc)
    return reached


class SmartcarNotifier(BaseNotifier):
    """Airflow notifier: ``on_failure_callback=SmartcarNotifier(title="...")``.

    ``title`` and ``message`` are templated with the task context (``{{ ti.task_id }}``, ``{{ ds }}``...).
    """

    template_fields = ("title", "message")

    def __init__(
        self,
        title: str = "Airflow task failed: {{ ti.dag_id }}.{{ ti.task_id }} {{ ds }}",
        message: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        self.title = title
        self.message = message
        self.details = details or {}
        self.reached: list[str] = []
        super().__init__()

    def notify(self, context: dict[str, Any]) -> None:
        details = dict(self.details)
        ti = context.get("ti") or context.get("task_instance")
        if ti is not None:
            details.update(dag_id=ti.dag_id, task_id=ti.task_id, run_id=ti.run_id)
        exception = context.get("exception")
        message = self.message or (str(exception) if exception else "")
        self.reached = deliver(self.title, message, details)


def notify_stream_stalled(health: dict[str, Any]) -> list[str]:
    """The stream processor stopped (no live instance) or stopped making progress while lag grows."""
    brief = {k: health.get(k) for k in ("alive", "instances", "lag", "events_per_s", "dead_letters", "last_heartbeat")}
    return deliver("Stream processor stalled", json.dumps(brief, default=str), brief)


class StallWatch:
    """Notifies once per episode when the stream stops: no live processor, or lag but no progress.

    Feed it :func:`streaming.health.read_health` results periodically (the supervisor's tick);
    ``patience`` consecutive stalled observations open an episode, a healthy one closes it.
    """

    def __init__(self, patience: int = 2) -> None:
        self.patience = patience
        self.strikes = 0
        self.notified = False
        self._last_processed: int | None = None

    def stalled(self, health: dict[str, Any]) -> bool:
        processed = int(health.get("processed") or 0)
        no_progress = self._last_processed is not None and processed <= self._last_processed
        self._last_processed = processed
        return not health.get("alive") or (no_progress and int(health.get("lag") or 0) > 0)

    def observe(self, health: dict[str, Any]) -> bool:
        """Record one observation; returns True when it sent a notification."""
        if not self.stalled(health):
            self.strikes, self.notified = 0, False
            return False
        self.strikes += 1
        if self.strikes >= self.patience and not self.notified:
            self.notified = True
            notify_stream_stalled(health)
            return True
        return False
