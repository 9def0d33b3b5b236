"""Cluster ids for formatting the embedded broker's log directory."""

from __future__ import annotations

import base64

from smartcar.runtime.services.kafka import new_cluster_id


def test_cluster_ids_never_start_with_a_dash_and_decode_to_16_bytes() -> None:
    # about one random id in 64 starts with "-", which kafka-storage's parser took for an option
    ids = [new_cluster_id() for _ in range(5000)]
    assert not [i for i in ids if i.startswith("-")]
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
