"""Flume-style collection: the spool-directory batch loader and the tail agent that feeds Kafka."""
