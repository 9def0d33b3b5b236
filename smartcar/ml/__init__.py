"""Spark ML of the platform: the original's smart-car status classification and customer clustering.

Models train in a local Spark session that reads the warehouse files by path (the embedded Derby
metastore admits one JVM; in production the same files sit on HDFS or object storage). The data
preparation is HiveQL in ``include/sql/ml/``, run by Spark SQL over views of those files, so the
business rules are the same text a Hive cluster would run.
"""
