"""A TCP proxy that adds one-way latency, to benchmark tools against a database "across the
network" (a deploy runner talking to a managed PostgreSQL in the same region sees ~0.5-1 ms RTT).

Usage: python benches/latency_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT ONE_WAY_MS

Each chunk is forwarded ONE_WAY_MS after it arrived, in order, in both directions: a link with
latency, not a per-chunk sleep (back-to-back chunks are not delayed cumulatively). Threads and
`time.sleep` rather than asyncio, whose timers round up to whole milliseconds.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import sys
import threading
import time


def pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
    chunks: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()

    def deliver() -> None:
        while True:
            due, chunk = chunks.get()
            if not chunk:
                break
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                target.sendall(chunk)
            except OSError:
                break
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=deliver, daemon=True)
    sender.start()
    try:
        while chunk := source.recv(65536):
            chunks.put((time.monotonic() + delay, chunk))
    except OSError:
        pass
    chunks.put((0.0, b""))
    sender.join()


def serve(listen: int, host: str, port: int, delay: float) -> None:
    server = socket.create_server(("127.0.0.1", listen))
    print(f"proxy 127.0.0.1:{listen} -> {host}:{port}, {delay * 1000:.2f} ms each way", flush=True)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection((host, port))
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pipe, args=(client, upstream, delay), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client, delay), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000.0)
