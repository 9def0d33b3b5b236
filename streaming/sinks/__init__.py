"""Sinks of the stream processor: HBase (every valid event) and Redis (alerts, floors, health)."""
