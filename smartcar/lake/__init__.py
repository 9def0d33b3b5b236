"""The lake: the warehouse's tables as files (catalog, partition paths, one reader), engine-free.

Quality checks, the export, ML and the warehouse engine all read partitions through this package,
so a table's columns, its partition path and its null rule are defined once.
"""
