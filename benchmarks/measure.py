"""Measuring helpers of the benchmarks: device-synchronised wall time, per-method time sums, process memory
(RSS now, its sampled peak, ``ru_maxrss``) and the CPU that other processes use meanwhile."""

from __future__ import annotations

import math
import os
import resource
import sys
import threading
import time
from contextlib import contextmanager

import torch


def sync(device: torch.device) -> None:
    """Wait for the device's queued work (CUDA); nothing on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Stopwatch:
    """Wall seconds of a ``with`` block (``.seconds``), the device synchronised at its start and end."""

    def __init__(self, device: torch.device):
        self.device, self.seconds = device, math.nan

    def __enter__(self) -> Stopwatch:
        sync(self.device)
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        sync(self.device)
        self.seconds = time.perf_counter() - self._t0


def rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc), 0 where unavailable."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def max_rss_bytes() -> int:
    """Peak RSS of the process so far (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class OtherLoad:
    """CPU time used by every other process while a block runs, in cores (Linux /proc; NaN elsewhere).

    The load average lags by a minute; this says whether another job shared the cores during each timed phase.
    Each phase is also reported on stderr, prefixed with ``[label]``.
    """

    def __init__(self, label: str):
        self.label = label
        self.phases: dict[str, float] = {}

    @staticmethod
    def _ticks() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait
        with open("/proc/self/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
        return busy, int(own[11]) + int(own[12])  # utime + stime of this process (all its threads)

    @contextmanager
    def phase(self, name: str):
        try:
            busy0, own0 = self._ticks()
        except (OSError, ValueError, IndexError):
            self.phases[name] = math.nan
            yield
            return
        t0 = time.perf_counter()
        yield
        busy1, own1 = self._ticks()
        seconds = max(time.perf_counter() - t0, 1e-9)
        self.phases[name] = max(0.0, (busy1 - busy0) - (own1 - own0)) / os.sysconf("SC_CLK_TCK") / seconds
        print(f"[{self.label}] {name}: {seconds:.1f} s, other processes {self.phases[name]:.2f} cores",
              file=sys.stderr, flush=True)


class RssSampler:
    """Samples the process RSS every ``interval`` s in a thread: the peak reached inside the ``with`` block."""

    def __init__(self, interval: float = 0.01):
        self.interval, self.start, self.peak = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> RssSampler:
        self.start = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


class SectionTimer:
    """Wraps methods of one object (instance attributes shadowing them) and sums their wall time per label.

    ``names`` maps a method name to its label; ``remove`` restores the methods of the class."""

    def __init__(self, obj, names: dict[str, str], device: torch.device):
        self.totals = dict.fromkeys(names.values(), 0.0)
        self.device = device
        for method, label in names.items():
            if hasattr(obj, method):
                setattr(obj, method, self._wrap(getattr(obj, method), label))
        self.obj, self.methods = obj, list(names)

    def _wrap(self, fn, label: str):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            sync(self.device)
            self.totals[label] += time.perf_counter() - t0
            return out
        return timed

    def remove(self) -> None:
        for method in self.methods:
            self.obj.__dict__.pop(method, None)
