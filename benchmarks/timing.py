"""Clocks for the benchmark: wall time of calls, percentiles, and the time and peak memory of a
subprocess (GNU time's `-v` report)."""

from __future__ import annotations

import re
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"


def samples(action: Callable[[], object], runs: int) -> list[float]:
    """The wall time of `runs` calls of `action`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile, interpolated between closest ranks (as docs/metrics.md's
    percentiles and numpy's default)."""
    return statistics.quantiles(values, n=20, method="inclusive")[18]


@dataclass(frozen=True)
class Run:
    """A finished subprocess: its wall time (s), peak resident memory (MB) and output."""

    seconds: float
    peak_mb: float
    stdout: str


def timed(command: Sequence[str], *, env: dict[str, str], cwd: Path | None = None) -> Run:
    """Run `command` under GNU time; fail with its output if it fails."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (the benchmark's own commands)
        [GNU_TIME, "-v", *command], env=env, cwd=cwd, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if peak is None:
        raise RuntimeError(f"no peak memory in GNU time's report:\n{done.stderr}")
    return Run(seconds=seconds, peak_mb=int(peak.group(1)) / 1024, stdout=done.stdout)
