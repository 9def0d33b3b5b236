"""The Hive warehouse: lake tables, the HBase copy, the five subject-area marts and their queries."""
