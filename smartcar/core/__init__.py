"""The bottom layer: what every other part of the platform shares and which imports nothing above it.

Settings live one level up (:mod:`smartcar.settings`); here are the clients built from them, the
driving record and the other record layouts, the Kafka topics, business dates and atomic file writes.
"""
