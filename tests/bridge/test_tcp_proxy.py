"""The test proxy itself: a cut must really cut, or the outage tests prove nothing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.bridge import tcp_proxy
from tests.bridge.tcp_proxy import TcpProxy


@pytest.fixture
def upstream() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server
    finally:
        server.close()


def _is_dropped(client: socket.socket) -> bool:
    """True if the proxy closed this client (EOF or reset) within a few seconds."""
    client.settimeout(5)
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_connection_being_set_up_when_the_proxy_is_cut_does_not_survive_the_cut(
    upstream: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a flaky outage test: a PC connecting at the moment the network drops."""
    connecting = threading.Event()
    go_on = threading.Event()
    real_connect = socket.create_connection

    def slow_connect(*args: object, **kwargs: object) -> socket.socket:
        connecting.set()
        go_on.wait(5)
        return real_connect(*args, **kwargs)  # type: ignore[arg-type]

    # Only the proxy's upstream connection is slowed: it runs on the proxy's accept thread.
    def slow_only_in_the_proxy(*args: object, **kwargs: object) -> socket.socket:
        if threading.current_thread().name == "tcp-proxy":
            return slow_connect(*args, **kwargs)
        return real_connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tcp_proxy.socket, "create_connection", slow_only_in_the_proxy)
    proxy = TcpProxy(*upstream.getsockname()[:2])
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as client:
            assert connecting.wait(5)  # the proxy is connecting upstream for this client
            proxy.cut()
            go_on.set()
            assert _is_dropped(client)
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as late:
            assert _is_dropped(late)  # refused while cut
    finally:
        go_on.set()
        proxy.close()


def test_a_cut_drops_established_connections_and_restore_lets_new_ones_through(
    upstream: socket.socket,
) -> None:
    proxy = TcpProxy(*upstream.getsockname()[:2])
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as client:
            server_side, _ = upstream.accept()
            with server_side:
                client.sendall(b"ping")
                server_side.settimeout(5)
                assert server_side.recv(4) == b"ping"
                proxy.cut()
                assert _is_dropped(client)
        proxy.restore()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as again:
            server_side, _ = upstream.accept()
            with server_side:
                again.sendall(b"pong")
                server_side.settimeout(5)
                assert server_side.recv(4) == b"pong"
    finally:
        proxy.close()


def test_a_partition_passes_nothing_closes_nothing_and_heal_delivers_what_was_held(
    upstream: socket.socket,
) -> None:
    """The hung-network fault: no byte through either way, yet the connection looks alive."""
    proxy = TcpProxy(*upstream.getsockname()[:2])
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as client:
            server_side, _ = upstream.accept()
            with server_side:
                server_side.settimeout(1.0)
                client.settimeout(1.0)
                proxy.partition()
                client.sendall(b"ping")  # the client's kernel takes it: no error anywhere
                with pytest.raises(TimeoutError):
                    server_side.recv(4)
                server_side.sendall(b"pong")
                with pytest.raises(TimeoutError):
                    client.recv(4)  # not closed (that would be b""), just silent
                proxy.heal()
                server_side.settimeout(5)
                client.settimeout(5)
                assert server_side.recv(4) == b"ping"
                assert client.recv(4) == b"pong"
    finally:
        proxy.close()
