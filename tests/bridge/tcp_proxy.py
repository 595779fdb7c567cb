"""A tiny TCP proxy between the bridge and PostgreSQL, so a test can cut the network and restore it.

The shared PostgreSQL server is never stopped (other tests use it): the bridge's database URL
points here instead, and ``cut()`` drops every open connection and refuses new ones, exactly as
a pulled network cable or a server restart looks to the client.

``partition()`` is the nastier fault: the proxy stops forwarding but closes nothing, so every
connection stays open and new ones are accepted, and no byte gets through either way (a
firewall dropping packets, a hung host). The client's kernel still hears its TCP ACKs from the
proxy, so keepalives and TCP timeouts never fire: only the client's own deadline can end a call.
``heal()`` lets the held bytes through, late but intact.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._cut = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self.refused = 0
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def is_cut(self) -> bool:
        return self._cut

    def cut(self) -> None:
        """Drop every connection now and refuse new ones until ``restore``."""
        with self._lock:
            self._cut = True
            sockets, self._open = self._open, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    @property
    def is_partitioned(self) -> bool:
        return not self._flowing.is_set()

    def partition(self) -> None:
        """Stop forwarding without closing anything (connections hang; new ones hang too)."""
        self._flowing.clear()

    def heal(self) -> None:
        """Forward again; bytes held during the partition go through now."""
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()  # let held pumps see the cut and end
        self.cut()
        # close() alone does not wake a thread blocked in accept() on Linux; shutdown() does.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(timeout=2)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = self._cut
            if refuse:
                self.refused += 1
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                # Cut while we were connecting: this connection must not outlive the cut.
                refuse = self._cut
                if not refuse:
                    self._open += [client, upstream]
            if refuse:
                self.refused += 1
                client.close()
                upstream.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                while not self._flowing.wait(0.1):  # partitioned: hold the bytes, close nothing
                    if self._closed:
                        return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
