"""How Airflow sees the platform: assets, DAG helpers, run dates, triggers, notifications, connections.

The layer just below ``dags/`` and ``plugins/``: it may import the library and ``streaming`` (the
triggers read the stream's state) but nothing below imports it.
"""
