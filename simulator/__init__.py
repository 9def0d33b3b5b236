"""Deterministic re-creation of the pilot's four data generators (docs/data-formats.md).

Library API (stable names other areas import):

- :func:`simulator.master.master_rows` / ``master_lines`` / ``write_master``: ``CarMaster.txt``.
- :func:`simulator.buylist.buylist_lines` / ``write_buylist``: ``CarItemBuyList_<yyyyMM>``.
- :func:`simulator.status_log.iter_status_lines` / ``write_status_file``: the batch status log.
- :func:`simulator.driving_log.iter_driving_lines` / ``iter_driving_events`` / ``write_driving_file``:
  the real-time driving log; :func:`simulator.stream.stream_driving` paces it into Kafka and/or a
  growing log file.
- :func:`simulator.sinks.write_spool_file`: any lines as one atomically appearing spool file.
- :func:`simulator.cars.fleet`: the car numbers (and area groups, wild flags) of a seed.

The same ``(date, cars, seed)`` always gives byte-identical output, and car ``i`` has one number
across all four data sets of a seed. CLI: ``smartcar simulate {master,buylist,status,driving}``.
"""
