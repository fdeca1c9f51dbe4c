"""Logical-name benchmark: prints figures, asserts nothing.

1. Cached translations per second of a system logical name through the Python API
   (LogicalNames.trnlnm of SYS$SYSTEM, the cache warm). Goal: at least 1,000,000 per second.
2. The delay until a DEFINE/SYSTEM made in one process is seen by a translation in another
   process that keeps translating. Goal: under 5 ms.

Usage: python bench/lnm.py [--root DIR] [--seconds N] [--rounds N]
(without --root a temporary root is made and removed).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmsenv import root as rootmod  # noqa: E402
from vmsenv.process import Process  # noqa: E402


def translations_per_second(root: rootmod.Root, seconds: float) -> float:
    proc = Process(root)
    trn = proc.lnm.trnlnm
    try:
        trn("SYS$SYSTEM")
        count = 0
        batch = 10_000
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(batch):
                trn("SYS$SYSTEM")
            count += batch
            now = time.perf_counter()
            if now >= deadline:
                return count / (now - start)
    finally:
        proc.logout()


def _watcher(root_path: str, name: str, rounds: int, ready, results) -> None:
    root = rootmod.Root(root_path)
    proc = Process(root)
    trn = proc.lnm.trnlnm
    try:
        for i in range(rounds):
            want = f"V{i}"
            ready.put(i)
            give_up = time.monotonic() + 5
            while True:
                entry = trn(name, "LNM$SYSTEM_TABLE")
                if entry is not None and entry.values[0][0] == want:
                    results.put(time.monotonic())
                    break
                if time.monotonic() > give_up:
                    results.put(None)
                    break
    finally:
        proc.logout()


def change_delay(root: rootmod.Root, rounds: int) -> list[float]:
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    watcher = ctx.Process(target=_watcher,
                          args=(str(root.path), "BENCH_DELAY", rounds, ready, results))
    watcher.start()
    definer = Process(root)
    delays = []
    try:
        for i in range(rounds):
            ready.get(timeout=30)
            time.sleep(0.01)
            issued = time.monotonic()
            definer.lnm.crelnm("BENCH_DELAY", [(f"V{i}", 0)], "LNM$SYSTEM")
            seen = results.get(timeout=30)
            if seen is not None:
                delays.append((seen - issued) * 1000)
    finally:
        watcher.join(timeout=30)
        definer.lnm.dellnm("BENCH_DELAY", "LNM$SYSTEM")
        definer.logout()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = rootmod.Root(args.root) if args.root else rootmod.init(Path(tmp) / "root")
        rate = translations_per_second(root, args.seconds)
        print(f"cached translations of SYS$SYSTEM: {rate:,.0f} per second (goal 1,000,000)")
        delays = change_delay(root, args.rounds)
        if delays:
            print(f"DEFINE/SYSTEM issued -> seen by another process: median {statistics.median(delays):.3f} ms,"
                  f" max {max(delays):.3f} ms over {len(delays)} rounds (goal < 5 ms)")
        missed = args.rounds - len(delays)
        if missed:
            print(f"changes never seen within 5 s: {missed}")


if __name__ == "__main__":
    main()
