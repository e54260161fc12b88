"""A bounded HTTP/1.1 load generator: N concurrent keep-alive connections for a fixed time, loopback only.

Written on asyncio streams rather than taken from a library because it must count exactly what the
tests assert on (every connection error, every status, every latency) and nothing may be retried
behind the test's back. A connection the server closes (gunicorn's sync workers close after each
response) is reopened for the next request, as a browser or phone would.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Request = tuple[str, str, bytes | None]  # method, path, JSON body
REQUEST_TIMEOUT = 30.0


@dataclass
class LoadResult:
    seconds: float
    connections: int
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    retry_after: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 1),
            "connections": self.connections,
            "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "connection_errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p90_ms": round(self.percentile(0.90) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=0) * 1000, 1),
        }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers


def _encode(host: str, request: Request) -> bytes:
    method, path, body = request
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        "Connection: keep-alive",
        "User-Agent: certsvc-loadgen",
    ]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


async def _user(
    host: str, port: int, requests: Callable[[int], Request], deadline: float, result: LoadResult, user: int
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    sequence = 0
    while time.monotonic() < deadline:
        request = requests(user * 1_000_003 + sequence)
        sequence += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), REQUEST_TIMEOUT)
            assert reader is not None and writer is not None
            writer.write(_encode(f"{host}:{port}", request))
            await writer.drain()
            status, headers = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ValueError,
        ) as error:
            result.errors[type(error).__name__] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        result.latencies.append(time.perf_counter() - started)
        result.statuses[status] += 1
        if status == 429:
            result.retry_after.append(headers.get("retry-after", ""))
        if headers.get("connection", "").lower() == "close" and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(
    host: str, port: int, requests: Callable[[int], Request], connections: int, seconds: float
) -> LoadResult:
    result = LoadResult(seconds=seconds, connections=connections)
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*[_user(host, port, requests, deadline, result, n) for n in range(connections)])
    result.seconds = time.monotonic() - started
    return result


def run_load(
    port: int,
    requests: Callable[[int], Request],
    *,
    connections: int,
    seconds: float,
    host: str = "127.0.0.1",
) -> LoadResult:
    """Drive ``connections`` concurrent users for ``seconds``; ``requests(n)`` gives the n-th request."""
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError("the load generator only targets loopback")
    return asyncio.run(_run(host, port, requests, connections, seconds))


def verify_mix(qr_urls: Sequence[str]) -> Callable[[int], Request]:
    """Alternate ``POST /api/v1/verify`` with a QR URL and ``GET /v/<payload>`` over real certificates."""
    bodies = [json.dumps({"qr": url}).encode() for url in qr_urls]
    pages = ["/v/" + url.rsplit("/", 1)[1] for url in qr_urls]

    def request(n: int) -> Request:
        pick = (n * 7919) % len(qr_urls)
        return ("POST", "/api/v1/verify", bodies[pick]) if n % 2 else ("GET", pages[pick], None)

    return request
