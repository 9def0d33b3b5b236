"""Acting on the stream's alerts in Airflow: the alert-topic watcher and the incident log."""
