"""A minimal keep-alive HTTP/1.1 client for prepared requests (one per generator thread).

Lighter than http.client (no header objects): the generator shares two cores with the
server, so it should spend as little CPU per request as it can.
"""
from __future__ import annotations

import select
import socket


class ClientError(Exception):
    """The request got no complete HTTP response."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buf = b""
        self.used = False
        self.connects = 0
        self.reconnects = 0  # a kept-alive connection the server had closed

    def _connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.used = False
        self.connects += 1

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _stale(self) -> bool:
        # an idle kept-alive socket that is readable has been closed by the server
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one prepared request; return (status, body). Raises ClientError or OSError."""
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            elif self._stale():
                self.close()
                self.reconnects += 1
                self._connect()
            reused = self.used
            self.used = True
            try:
                self.sock.sendall(raw)
                return self._response()
            except (ClientError, ConnectionError) as exc:
                self.close()
                if not reused or attempt:
                    raise ClientError(exc.__class__.__name__) from exc
                self.reconnects += 1  # the server closed it between the check and the send
            except OSError:
                self.close()
                raise
        raise ClientError("unreachable")

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ClientError("closed")
        return data

    def _response(self) -> tuple[int, bytes]:
        buf = self.buf
        while b"\r\n\r\n" not in buf:
            buf += self._recv()
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise ClientError("bad_status_line")
        status = int(parts[1])
        length, close = None, parts[0] == b"HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                raise ClientError("chunked_unsupported")
        if length is None:  # body until the server closes
            chunks = [rest]
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
            self.close()
            return status, b"".join(chunks)
        while len(rest) < length:
            rest += self._recv()
        body, self.buf = rest[:length], rest[length:]
        if close:
            self.close()
        return status, body
