"""An HBase Thrift1 server of our own, so the embedded default runs happybase code unchanged.

The platform talks to HBase only through happybase and HBase's Thrift1 gateway. No HBase can be
installed here, so this package serves that same Thrift1 API (the IDL happybase ships) over
RocksDB: :mod:`.storage` (data model and durability), :mod:`.filters` (HBase's filter language),
:mod:`.handler` (the Thrift methods), :mod:`.server` (threaded server), :mod:`.cli`
(``smartcar hbase serve`` / ``python -m smartcar.hbase``).
"""
