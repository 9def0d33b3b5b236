"""The lake: the warehouse's tables as files (catalog, partition paths, one reader), read by path.

Quality checks, the export, ML and the warehouse steps read partitions through this package, not
through the warehouse's query engine, so a table's columns, its partition path and its null and
field-count rules are defined once.
"""
