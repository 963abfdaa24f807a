"""The on-sale benchmark's load generator: asyncio, raw HTTP/1.1 on loopback, one event loop.

Each of `concurrency` clients keeps its own connection to one server (client i talks to servers[i % n]),
sends a request, reads the answer to its end (Content-Length), and sends the next; when the server
closes the connection after an answer (gunicorn's sync workers always do), the client reconnects for
its next request, as a browser would. Requests are prepared bytes, so the loop spends its time on
sockets, not on building HTTP: one core of this generator drives far more purchases per second than
two gunicorn workers answer (`Load.client_cpu` says how much of a core it used).
"""

import asyncio
import resource
import time
from dataclasses import dataclass, field

HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def encode(self, host: str, port: int) -> bytes:
        lines = [f"POST {self.path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json"]
        lines += [f"Content-Length: {len(self.body)}", "Accept: application/json", "User-Agent: cafa-bench"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class Answer:
    status: int  # 0: no answer (connection error or client timeout)
    seconds: float
    body: bytes = b""
    error: str = ""


@dataclass
class Load:
    answers: list = field(default_factory=list)  # one Answer per request, in the order of the requests
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    @property
    def client_cpu(self) -> float:
        """The generator's own CPU time as a share of one core over the measurement."""
        return self.client_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, content length, whether the server closes the connection) from a response head."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    status, length, close = int(parts[1]), 0, parts[0] == "HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection":
            close = value.strip().lower() == "close"
        elif name == "transfer-encoding" and "chunked" in value.lower():
            raise ValueError("chunked answers are not expected from the API")
    return status, length, close


class _Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def exchange(self, payload: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=HEAD_LIMIT)
        self.writer.write(payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, length, close = parse_head(head[:-4])
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _run(servers, requests, concurrency, timeout, deadline) -> list:
    answers: list = [None] * len(requests)
    next_index = iter(range(len(requests)))

    async def client(number: int):
        host, port = servers[number % len(servers)]
        connection = _Connection(host, port)
        try:
            for index in next_index:
                if time.monotonic() > deadline:
                    answers[index] = Answer(0, 0.0, error="not sent: the measurement's time ran out")
                    continue
                payload = requests[index].encode(host, port)
                started = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(connection.exchange(payload), timeout)
                    answers[index] = Answer(status, time.perf_counter() - started, body)
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
                    connection.close()
                    answers[index] = Answer(0, time.perf_counter() - started, error=type(error).__name__)
                except TimeoutError:
                    connection.close()
                    answers[index] = Answer(0, time.perf_counter() - started, error="client timeout")
        finally:
            connection.close()

    await asyncio.gather(*(client(number) for number in range(concurrency)))
    return answers


def run(servers, requests, *, concurrency: int, timeout: float = 30.0, max_seconds: float = 120.0) -> Load:
    """Send every request with `concurrency` clients over `servers` [(host, port)]; stop sending after
    `max_seconds` (requests not sent by then are answered with status 0)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    answers = asyncio.run(
        _run(servers, requests, max(1, min(concurrency, len(requests))), timeout, started + max_seconds)
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return Load(answers=answers, wall_seconds=wall, client_cpu_seconds=cpu)
