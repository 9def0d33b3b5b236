"""Threaded Thrift server for :class:`~smartcar.hbase.handler.HbaseHandler` (one thread per client).

thriftpy2 provides the processor, protocols and transports (its Cython binary protocol and
buffered/framed transports); the accept loop is ours because thriftpy2's ``TServerSocket`` sets
``SO_REUSEPORT`` (two servers could then silently share a port) and its ``TThreadedServer`` gives
no hook to drop a client's open scanners when it disconnects.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from pathlib import Path
from types import FrameType

from thriftpy2.protocol import TCompactProtocolFactory, TCyBinaryProtocolFactory
from thriftpy2.protocol.cybin import ProtocolError
from thriftpy2.protocol.exc import TProtocolException
from thriftpy2.thrift import TApplicationException, TDecodeException, TMessageType, TProcessor, TType
from thriftpy2.transport import (
    TCyBufferedTransportFactory,
    TCyFramedTransportFactory,
    TSocket,
    TTransportException,
)

from smartcar.hbase.handler import HbaseHandler
from smartcar.hbase.idl import Hbase, enable_fast_decoding
from smartcar.hbase.storage import InvalidArgument, StorageError, Store

log = logging.getLogger("smartcar.hbase")

TRANSPORTS = {"buffered": TCyBufferedTransportFactory, "framed": TCyFramedTransportFactory}
PROTOCOLS = {"binary": TCyBinaryProtocolFactory, "compact": TCompactProtocolFactory}


class HbaseProcessor(TProcessor):
    """thriftpy2's processor with two changes: storage errors become the exceptions the IDL
    declares (instead of dropping the client), and ``scannerGetList`` replies of fast scanners are
    written as pre-encoded bytes when the connection speaks the binary protocol.
    """

    def __init__(self, service: object, handler: HbaseHandler, raw_scans: bool) -> None:
        super().__init__(service, handler)  # type: ignore[arg-type]
        self.raw_scans = raw_scans
        handler.raw_scans = raw_scans

    def process(self, iprot: object, oprot: object) -> None:
        api, _, seqid = iprot.read_message_begin()  # type: ignore[attr-defined]
        service = self._service
        if api not in service.thrift_services:  # type: ignore[attr-defined]
            iprot.skip(TType.STRUCT)  # type: ignore[attr-defined]
            iprot.read_message_end()  # type: ignore[attr-defined]
            exc = TApplicationException(TApplicationException.UNKNOWN_METHOD)
            return self.send_exception(oprot, api, exc, seqid)  # type: ignore[arg-type]
        args = getattr(service, api + "_args")()
        args.read(iprot)
        iprot.read_message_end()  # type: ignore[attr-defined]
        if self.raw_scans and api in ("scannerGetList", "scannerGet"):
            body = self._handler.raw_scan_reply(args.id, args.nbRows if api == "scannerGetList" else 1)
            if body is not None:
                oprot.write_message_begin(api, TMessageType.REPLY, seqid)  # type: ignore[attr-defined]
                oprot.trans.write(body)  # type: ignore[attr-defined]
                oprot.write_message_end()  # type: ignore[attr-defined]
                oprot.trans.flush()  # type: ignore[attr-defined]
                return None
        result = getattr(service, api + "_result")()
        try:
            values = [args.__dict__[spec[1]] for spec in args.thrift_spec.values()]
            result.success = getattr(self._handler, api)(*values)
        except TApplicationException as exc:
            return self.send_exception(oprot, api, exc, seqid)  # type: ignore[arg-type]
        except Exception as exc:
            if not self.handle_exception(exc, result):
                raise
        if not result.oneway:
            self.send_result(oprot, api, result, seqid)  # type: ignore[arg-type]
        return None

    def handle_exception(self, e: Exception, result: object) -> bool:
        declared = {spec[1] for spec in result.thrift_spec.values()}  # type: ignore[attr-defined]
        if isinstance(e, InvalidArgument):
            if "ia" in declared:
                e = Hbase.IllegalArgument(message=str(e))
            else:  # methods that only declare IOError (scannerOpenWithScan, gets...)
                e = Hbase.IOError(message=f"java.lang.IllegalArgumentException: {e}")
        elif isinstance(e, StorageError):
            e = Hbase.IOError(message=str(e))
        elif not isinstance(e, Hbase.IOError | Hbase.IllegalArgument | Hbase.AlreadyExists):
            log.exception("internal error")
            e = Hbase.IOError(message=f"internal error: {type(e).__name__}: {e}")
        return super().handle_exception(e, result)


class HbaseThriftServer:
    """Listens on ``host:port`` and serves each connection in its own daemon thread."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 9090,
        transport: str = "buffered",
        protocol: str = "binary",
        sync: bool = True,
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}")
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
        enable_fast_decoding()
        self.store = Store(data_dir, sync=sync)
        self.handler = HbaseHandler(self.store, host, port)
        self.processor = HbaseProcessor(Hbase.Hbase, self.handler, raw_scans=protocol == "binary")
        self.protocol_name = f"{transport}/{protocol} Thrift"
        self.transport_factory = TRANSPORTS[transport]()
        self.protocol_factory = PROTOCOLS[protocol](decode_response=True)  # Text is BINARY: stays bytes
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(128)  # clients may connect (and queue) as soon as the constructor returns
        self.address = self.sock.getsockname()
        self.closed = threading.Event()

    def serve_forever(self) -> None:
        log.info("HBase Thrift1 server listening on %s:%d (data in %s)", *self.address, self.store.db.path())
        while not self.closed.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                if self.closed.is_set():
                    break
                raise
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve_client, args=(client,), daemon=True).start()

    def _serve_client(self, client: socket.socket) -> None:
        trans = self.transport_factory.get_transport(TSocket(sock=client))
        prot = self.protocol_factory.get_protocol(trans)
        self.handler.connection_opened()
        try:
            process, after_call = self.processor.process, self.handler.after_call
            while not self.closed.is_set():
                process(prot, prot)
                after_call()
        except TTransportException:
            pass
        except (TProtocolException, ProtocolError, TDecodeException) as exc:
            log.warning("dropped a client speaking something else than %s: %s", self.protocol_name, exc)
        except Exception:
            log.exception("connection ended by an error")
        finally:
            self.handler.connection_closed()
            trans.close()

    def close(self) -> None:
        """Stop accepting and close the database (flushing the WAL)."""
        self.closed.set()
        try:
            self.sock.close()
        finally:
            self.store.close()


def run(
    data_dir: Path,
    host: str,
    port: int,
    transport: str,
    protocol: str,
    sync: bool = True,
) -> None:
    """Serve until SIGTERM/SIGINT; the port accepts connections only once the data is open."""
    server = HbaseThriftServer(data_dir, host, port, transport, protocol, sync)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.close()
