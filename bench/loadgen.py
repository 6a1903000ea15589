"""A headless HTTP/1.1 load generator for `make bench`: closed loop, N connections, no think time.

Each connection sends a request, reads the whole response, records the latency (including the
reconnect when the server closed the previous connection) and sends the next one at once.
Connections are spread over several processes with one asyncio loop each, so the generator is
not held back by one GIL; `ceiling()` measures how fast it can go against a server that does
nothing, to show it is not the bottleneck. Requests are built per request from a scenario, so
register and create-loan get distinct phone numbers and customers.
"""

import asyncio
import multiprocessing
import os
import random
import resource
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simplejson

Request = tuple[str, str, bytes | None]  # method, path, JSON body


@dataclass(frozen=True)
class Scenario:
    """What to send and which statuses count as success; `params` must be picklable."""

    name: str
    expected: frozenset[int]
    params: dict[str, Any] = field(default_factory=dict)


def _application(rng: random.Random, customer_id: int) -> bytes:
    return simplejson.dumps(
        {
            "customer_id": customer_id,
            "loan_amount": rng.randrange(20_000, 600_000, 1000),
            "interest_rate": rng.choice([8, 9.5, 10, 11.25, 12, 14, 16.5]),
            "tenure": rng.choice([6, 12, 18, 24, 36, 48, 60]),
        }
    ).encode()


def request_maker(scenario: Scenario, slot: int) -> Callable[[], Request]:
    """A function returning the next request of connection number `slot` (unique per run)."""
    rng = random.Random(slot)  # noqa: S311 (load, not security)
    params = scenario.params
    counter = iter(range(10**9))

    if scenario.name == "floor":
        return lambda: ("GET", "/floor", None)
    if scenario.name == "ceiling":
        return lambda: ("GET", "/", None)
    if scenario.name == "check-eligibility":
        customers = params["customer_ids"]
        return lambda: ("POST", "/check-eligibility", _application(rng, rng.choice(customers)))
    if scenario.name == "create-loan":
        customers = params["customer_ids"]
        return lambda: ("POST", "/create-loan", _application(rng, rng.choice(customers)))
    if scenario.name == "view-loan":
        loans = params["loan_ids"]
        return lambda: ("GET", f"/view-loan/{rng.choice(loans)}", None)
    if scenario.name == "view-loans":
        customers = params["customer_ids"]
        return lambda: ("GET", f"/view-loans/{rng.choice(customers)}", None)
    if scenario.name == "register":
        # 10-digit numbers no other connection (or the data set, below 7e9) uses: a million per
        # connection, for the 2,900 slots a run's interleaved rounds may number before 1e10.
        base = 7_000_000_000 + slot * 1_000_000

        def register() -> Request:
            body = {
                "first_name": "Bench",
                "last_name": f"Load{slot}",
                "age": rng.randint(21, 65),
                "monthly_income": rng.randrange(15_000, 300_000, 500),
                "phone_number": base + next(counter),
            }
            return "POST", "/register", simplejson.dumps(body).encode()

        return register
    raise ValueError(f"unknown scenario {scenario.name}")


def outcome_of(scenario: Scenario, status: int, body: bytes) -> str | None:
    """A label for the decision endpoints: approved or refused."""
    if scenario.name == "create-loan" and status in (200, 201):
        return "approved" if status == 201 else "refused"
    if scenario.name == "check-eligibility" and status == 200:
        return "approved" if b'"approval":true' in body else "refused"
    return None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    socket_errors: int = 0
    cpu_seconds: float = 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    chunked = False
    close = lines[0].startswith(b"HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"connection":
            close = value.strip().lower() == b"close"
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        return status, b"".join(part[:-2] for part in parts), close
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def _connect(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection without asyncio's getaddrinfo round trip through a thread pool."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    except OSError:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


async def _connection(
    host: str,
    port: int,
    headers: bytes,
    make: Callable[[], Request],
    scenario: Scenario,
    record_from: float,
    stop_at: float,
    tally: Tally,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while True:
        method, path, body = make()
        payload = body or b""
        message = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
            + headers
            + (b"Content-Type: application/json\r\n" if body is not None else b"")
            + f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        started = time.perf_counter()
        if started >= stop_at:
            break
        try:
            if writer is None:
                reader, writer = await _connect(host, port)
            assert reader is not None
            writer.write(message)
            status, answer, close = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            if started >= record_from:
                tally.socket_errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        finished = time.perf_counter()
        if started >= record_from:
            tally.latencies.append(finished - started)
            tally.statuses[status] += 1
            label = outcome_of(scenario, status, answer)
            if label:
                tally.outcomes[label] += 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _process_main(
    host: str,
    port: int,
    api_key: str,
    scenario: Scenario,
    slots: list[int],
    record_from: float,
    stop_at: float,
    results: "multiprocessing.Queue[Tally]",
) -> None:
    headers = f"X-API-Key: {api_key}\r\n".encode() if api_key else b""
    tally = Tally()

    async def main() -> None:
        await asyncio.gather(
            *(
                _connection(
                    host,
                    port,
                    headers,
                    request_maker(scenario, slot),
                    scenario,
                    record_from,
                    stop_at,
                    tally,
                )
                for slot in slots
            )
        )

    asyncio.run(main())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    tally.cpu_seconds = usage.ru_utime + usage.ru_stime
    results.put(tally)


@dataclass(frozen=True)
class Result:
    scenario: str
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[int, int]
    outcomes: dict[str, int]
    loadgen_cpu_us: float  # the generator's own CPU time per request


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(
    host: str,
    port: int,
    scenario: Scenario,
    *,
    connections: int = 16,
    warmup: float = 2.0,
    seconds: float = 10.0,
    processes: int = 2,
    api_key: str = "",
    first_slot: int = 0,
) -> Result:
    """Drive `connections` closed-loop connections for warmup + seconds; measure the last part."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[Tally] = context.Queue()
    begin = time.perf_counter() + 0.3  # every process is up before the clock starts
    record_from, stop_at = begin + warmup, begin + warmup + seconds
    processes = max(1, min(processes, connections))
    workers = []
    for index in range(processes):
        slots = list(range(first_slot + index, first_slot + connections, processes))
        worker = context.Process(
            target=_process_main,
            args=(host, port, api_key, scenario, slots, record_from, stop_at, results),
        )
        worker.start()
        workers.append(worker)
    tallies = [results.get(timeout=warmup + seconds + 60) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(latency for tally in tallies for latency in tally.latencies)
    statuses: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    for tally in tallies:
        statuses.update(tally.statuses)
        outcomes.update(tally.outcomes)
    unexpected = sum(count for code, count in statuses.items() if code not in scenario.expected)
    socket_errors = sum(tally.socket_errors for tally in tallies)
    requests = len(latencies)
    cpu = sum(tally.cpu_seconds for tally in tallies)
    return Result(
        scenario=scenario.name,
        seconds=seconds,
        requests=requests,
        rps=requests / seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p95_ms=percentile(latencies, 0.95) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        errors=unexpected + socket_errors,
        statuses=dict(statuses),
        outcomes=dict(outcomes),
        loadgen_cpu_us=cpu / requests * 1e6 if requests else float("nan"),
    )


# The ceiling: a server that answers every request with a constant body and does nothing else.
_CONSTANT = b'{"status":"ok"}'


async def _constant_server(port: int, keep_alive: bool) -> None:
    connection = b"keep-alive" if keep_alive else b"close"
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: "
        + connection
        + f"\r\nContent-Length: {len(_CONSTANT)}\r\n\r\n".encode()
        + _CONSTANT
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":")[1]))
                writer.write(answer)
                if not keep_alive:
                    await writer.drain()
                    break
        except (asyncio.IncompleteReadError, OSError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def _serve_constant(port: int, keep_alive: bool) -> None:
    asyncio.run(_constant_server(port, keep_alive))


def ceiling(
    port: int, *, keep_alive: bool, connections: int, processes: int, seconds: float
) -> Result:
    """The generator against a do-nothing server (one process, on the same machine)."""
    context = multiprocessing.get_context("fork")
    server = context.Process(target=_serve_constant, args=(port, keep_alive), daemon=True)
    server.start()
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"the ceiling server on port {port} never accepted a connection")
        return run(
            "127.0.0.1",
            port,
            Scenario("ceiling", frozenset({200})),
            connections=connections,
            warmup=1.0,
            seconds=seconds,
            processes=processes,
        )
    finally:
        server.terminate()
        server.join()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))
