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


Hbase = hbase_thrift()
