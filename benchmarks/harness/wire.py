"""The server's part of each rerun, stamped by a proxy of our own between the browsers and the
server, not by the (niced, busy) browsers.

Chromium stamps its websocket frames in its network service, which on a shared 2-core machine
waits for a core behind the class's renderers: its "wire" times then hold browser time too.
This proxy runs at the server's priority, as a process of its own, and listens on one port per
simulated student, so it knows whose frames it relays. It passes every byte through unchanged
and, on the websocket, decodes the small messages: a page's request to rerun (a ``BackMsg``
with ``rerun_script``) and the server's word that a run finished (``script_finished``). Each
is printed as one line: ``<port> <kind> <time.monotonic()>``, a clock every process on the
machine shares.

Run as a script by :class:`WireClocks`, which reads those lines.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import subprocess
import sys
import threading
import time
from typing import IO

import numpy as np

SMALL = 512  # bytes: a script_finished message is a few bytes; figures are not decoded


# --- the proxy (this file run as a script) ------------------------------------------------------


def unmasked(payload: bytes, mask: bytes) -> bytes:
    """A browser's frame as sent (browsers mask theirs with a 4-byte key)."""
    if not mask:
        return payload
    key = np.resize(np.frombuffer(mask, np.uint8), len(payload))
    return (np.frombuffer(payload, np.uint8) ^ key).tobytes()


def message_kind(payload: bytes, from_browser: bool) -> str | None:
    """``rerun`` for a request to rerun, ``finished`` for the end of a run (not one cut short
    by a newer rerun), else None."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        if from_browser:
            message = BackMsg()
            message.ParseFromString(payload)
            return "rerun" if message.WhichOneof("type") == "rerun_script" else None
        message = ForwardMsg()
        message.ParseFromString(payload)
    except DecodeError:
        return None
    finished = message.WhichOneof("type") == "script_finished"
    if finished and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
        return "finished"
    return None


async def relay_frames(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, from_browser: bool
) -> None:
    """Pass websocket frames on as they are, stamping the messages that matter."""
    message, whole = bytearray(), True
    while True:
        head = await reader.readexactly(2)
        length, extra = head[1] & 0x7F, b""
        if length == 126:
            extra = await reader.readexactly(2)
            length = int.from_bytes(extra, "big")
        elif length == 127:
            extra = await reader.readexactly(8)
            length = int.from_bytes(extra, "big")
        mask = await reader.readexactly(4) if head[1] & 0x80 else b""
        payload = await reader.readexactly(length)
        stamp = time.monotonic()
        writer.write(head + extra + mask + payload)
        opcode = head[0] & 0x0F
        if opcode in (0, 2):
            if from_browser or len(message) + length <= SMALL:
                message += unmasked(payload, mask)
            else:
                whole = False
            if head[0] & 0x80:  # the message's last frame
                kind = message_kind(bytes(message), from_browser) if whole else None
                if kind:
                    print(port, kind, f"{stamp:.6f}", flush=True)
                message, whole = bytearray(), True
        await writer.drain()


async def pipe_bytes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def serve_connection(
    browser_in: asyncio.StreamReader, browser_out: asyncio.StreamWriter, port: int, upstream: int
) -> None:
    server_in, server_out = await asyncio.open_connection("127.0.0.1", upstream)
    try:
        head = await browser_in.readuntil(b"\r\n\r\n")
        websocket = b"upgrade: websocket" in head.lower()
        if websocket:  # no compression, so the proxy can read the messages
            lines = head.split(b"\r\n")
            head = b"\r\n".join(
                line for line in lines if not line.lower().startswith(b"sec-websocket-extensions")
            )
        server_out.write(head)
        if websocket:
            browser_out.write(await server_in.readuntil(b"\r\n\r\n"))
            down = relay_frames(server_in, browser_out, port, from_browser=False)
            up = relay_frames(browser_in, server_out, port, from_browser=True)
        else:
            down, up = pipe_bytes(server_in, browser_out), pipe_bytes(browser_in, server_out)
        await asyncio.gather(down, up)
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        for writer in (server_out, browser_out):
            writer.close()


async def proxy(upstream: int, ports: int) -> None:
    servers = []
    for _ in range(ports):
        holder: list[int] = []  # the port, known once the server listens

        async def serve(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, holder: list[int] = holder
        ) -> None:
            await serve_connection(reader, writer, holder[0], upstream)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        holder.append(server.sockets[0].getsockname()[1])
        servers.append(server)
    print("ports", *(s.sockets[0].getsockname()[1] for s in servers), flush=True)
    await asyncio.Event().wait()


# --- the benchmark's side -----------------------------------------------------------------------


class WireClocks:
    """The proxy, started for a server on ``upstream`` with ``count`` ports; ``clock(i)`` is
    the i-th student's clock and ``url(i)`` the address their browser opens."""

    def __init__(self, upstream_url: str, count: int):
        upstream = int(upstream_url.rsplit(":", 1)[1])
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(upstream), str(count)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None  # stdout=PIPE
        self.output: IO[str] = self.process.stdout
        words = self.output.readline().split()
        if not words or words[0] != "ports":
            raise RuntimeError("the wire proxy did not start")
        self.ports = [int(word) for word in words[1:]]
        self.events: dict[int, list[tuple[str, float]]] = {port: [] for port in self.ports}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)  # also when the benchmark fails

    def _read(self) -> None:
        for line in self.output:
            port, kind, stamp = line.split()
            with self._lock:
                self.events[int(port)].append((kind, float(stamp)))

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def clock(self, index: int) -> WireClock:
        return WireClock(self, self.ports[index])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class WireClock:
    """One student's reruns as the proxy saw them (``mark``, then ``rerun_seconds``)."""

    def __init__(self, clocks: WireClocks, port: int):
        self.clocks, self.port = clocks, port
        self.since = time.monotonic()

    def mark(self) -> None:
        """Forget what came before: the next rerun is the one to time."""
        self.since = time.monotonic()

    def rerun_seconds(self) -> tuple[bool, float | None]:
        """(whether a rerun was requested since the mark, seconds from that request to the end
        of a run, or None if no run finished after it)."""
        with self.clocks._lock:
            events = [e for e in self.clocks.events[self.port] if e[1] >= self.since]
        requested = next((stamp for kind, stamp in events if kind == "rerun"), None)
        if requested is None:
            return False, None
        ended = next((s for kind, s in events if kind == "finished" and s >= requested), None)
        return True, None if ended is None else ended - requested


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(proxy(int(sys.argv[1]), int(sys.argv[2])))
