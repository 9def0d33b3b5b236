"""The Thrift1 ``Hbase`` service definition, loaded from the IDL file happybase itself ships.

Serving the very file the client compiles guarantees that field ids and types match. happybase
loads it as the module ``Hbase_thrift``; we reuse that module when it is already loaded so that
exception classes are the same objects in a process that runs both client and server (tests).
"""

from __future__ import annotations

import sys
from importlib.resources import files
from types import ModuleType

import thriftpy2

MODULE_NAME = "Hbase_thrift"


def hbase_thrift() -> ModuleType:
    module = sys.modules.get(MODULE_NAME)
    if module is None:
        module = thriftpy2.load(str(files("happybase") / "Hbase.thrift"), module_name=MODULE_NAME)
    return module


def enable_fast_decoding() -> None:
    """Called by the server once: cheaper decoding of mutate requests (see below)."""
    if not getattr(Hbase, "_smartcar_fast_decoding", False):
        _speed_up_mutation_decoding(Hbase)
        Hbase._smartcar_fast_decoding = True  # type: ignore[attr-defined]


def _decode_only(cls: type) -> type:
    """Subclass of a generated struct that decoding can create without running Python code.

    thriftpy2's decoder instantiates a struct with ``cls()`` and then sets the fields it reads;
    the generated ``__init__`` is a Python function, and a 1000-row batch of 8 columns runs it
    9,000 times. With field defaults as class attributes, ``object.__init__`` does the same job.
    """
    namespace: dict[str, object] = dict(cls.default_spec)  # type: ignore[attr-defined]
    namespace["__init__"] = object.__init__
    namespace["thrift_spec"] = dict(cls.thrift_spec)  # type: ignore[attr-defined]
    return type(cls.__name__, (cls,), namespace)


def _speed_up_mutation_decoding(module: ModuleType) -> None:
    """Point the request specs of the mutate calls at :func:`_decode_only` structs.

    Only argument specs the server *reads* change; a client in the same process only writes them.
    """
    from thriftpy2.thrift import TType

    mutation = _decode_only(module.Mutation)
    batch = _decode_only(module.BatchMutation)
    batch.thrift_spec[2] = (TType.LIST, "mutations", (TType.STRUCT, mutation), False)
    service = module.Hbase
    for name in ("mutateRow_args", "mutateRowTs_args", "mutateRows_args", "mutateRowsTs_args"):
        spec = getattr(service, name).thrift_spec
        for fid, field_spec in list(spec.items()):
            if field_spec[1] == "mutations":
                spec[fid] = (TType.LIST, "mutations", (TType.STRUCT, mutation), False)
            elif field_spec[1] == "rowBatches":
                spec[fid] = (TType.LIST, "rowBatches", (TType.STRUCT, batch), False)


Hbase = hbase_thrift()
