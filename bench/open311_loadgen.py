"""The open-loop load generator and the CPU accounting of bench/bench_open311.py.

Open loop: each request has a scheduled send time (a constant arrival rate) and its latency is
measured from that time, so a server that falls behind shows its queue instead of slowing the
generator down (no coordinated omission). Connections are keep-alive HTTP/1.1 to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

# ── the open-loop load generator ─────────────────────────────────────────────────────────────


class Pool:
    """Keep-alive HTTP/1.1 connections to 127.0.0.1; a request waits for a free one (that wait
    counts in its latency, as it would for a real client)."""

    def __init__(self, port: int, size: int) -> None:
        self.port, self.size, self.opened = port, size, 0
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )

    async def acquire(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            return await asyncio.open_connection("127.0.0.1", self.port)
        return await self.idle.get()

    async def post(self, raw: bytes) -> int:
        reader, writer = await self.acquire()
        writer.write(raw)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        self.idle.put_nowait((reader, writer))
        return status


def raw_request(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        f"application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def open_loop(
    port: int, path: str, payloads: list[bytes], rate: float, seconds: float, connections: int
) -> dict[str, Any]:
    loop, pool = asyncio.get_running_loop(), Pool(port, connections)
    raws = [raw_request(path, body) for body in payloads]
    results: list[tuple[float, int]] = []

    async def one(scheduled: float, raw: bytes) -> None:
        try:
            status = await pool.post(raw)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            status = 0
        results.append((loop.time() - scheduled, status))

    total, start = int(rate * seconds), loop.time() + 0.05
    tasks = []
    for i in range(total):
        scheduled = start + i / rate
        if (delay := scheduled - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled, raws[i % len(raws)])))
    await asyncio.gather(*tasks)
    return summarise(results, rate, seconds, loop.time() - start)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return round(sorted_values[index] * 1000, 2)


def summarise(
    results: list[tuple[float, int]], rate: float, seconds: float, elapsed: float
) -> dict[str, Any]:
    ok = sorted(latency for latency, status in results if 200 <= status < 300)
    errors = len(results) - len(ok)
    achieved = len(ok) / elapsed if elapsed else 0.0
    return {
        "target_per_second": rate,
        "scheduled": len(results),
        "ok": len(ok),
        "errors": errors,
        "achieved_per_second": round(achieved, 1),
        "elapsed_seconds": round(elapsed, 2),
        "latency_ms": {
            p: _percentile(ok, q)
            for p, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999))
        }
        | {"max": round(ok[-1] * 1000, 2) if ok else None},
        # Sustained: every request answered, at the target rate, and no queue left at the end.
        "sustained": errors == 0 and achieved >= 0.98 * rate and elapsed <= seconds + 1.0,
    }


# ── where the CPU went ──────────────────────────────────────────────────────────────────────


def _processes() -> dict[int, tuple[str, int, float]]:
    """pid → (name, parent pid, CPU seconds so far), from /proc."""
    table, tick = {}, os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat:
            name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
            fields = rest.split()
            table[int(entry)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return table


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU used so far by the server's process tree, PostgreSQL, this load generator, the rest
    of the machine (other people's work on a shared machine shows here)."""
    table = _processes()
    tree, grew = {server_pid}, True
    while grew:
        grown = tree | {pid for pid, (_, parent, _) in table.items() if parent in tree}
        grew, tree = grown != tree, grown
    groups = {"server": 0.0, "postgresql": 0.0, "load_generator": 0.0, "other": 0.0}
    for pid, (name, _, used) in table.items():
        group = (
            "server"
            if pid in tree
            else "load_generator"
            if pid == os.getpid()
            else "postgresql"
            if name == "postgres"
            else "other"
        )
        groups[group] += used
    return groups
