"""Shared by the benchmarks: repeat a call and report its median and 95th percentile."""

import statistics
import time
from collections.abc import Callable

RUNS = 30


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """(median, p95) in milliseconds over `runs` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
