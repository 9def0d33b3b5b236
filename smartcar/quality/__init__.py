"""Data quality of the warehouse: Great Expectations suites run on Spark, reports and offline Data Docs.

Entry points: :func:`smartcar.quality.runner.validate` / :func:`~smartcar.quality.runner.check`
for one table and date, :mod:`smartcar.quality.store` for the kept reports.
"""
