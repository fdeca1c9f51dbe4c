"""DCL interpreter benchmark: prints figures, asserts nothing.

The same loop -- symbol arithmetic, IF, GOTO -- as a DCL procedure run by `dcl` and as a bash
script run by bash, side by side, 100,000 iterations by default:

    $ i = 0                              i=0
    $ total = 0                          total=0
    $loop:                               while :; do
    $ i = i + 1                            i=$((i + 1))
    $ total = total + (i .AND. 7)          total=$((total + (i & 7)))
    $ IF i .LT. 100000 THEN GOTO loop      if [ "$i" -lt 100000 ]; then continue; fi
    $ WRITE SYS$OUTPUT total               break; done; echo "$total"

Both count 4 lines an iteration.  Each program is timed as a whole command (best of --runs),
then the start-up time of an empty program is taken away, and the figure printed is lines
executed per second of the rest.  Goal: DCL at least half as fast as bash (ratio >= 0.5).

Usage: python bench/dcl.py [--iterations N] [--runs N] [--root DIR]
(without --root a temporary root is made and removed).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES_PER_ITERATION = 4

DCL_LOOP = """\
$ i = 0
$ total = 0
$loop:
$ i = i + 1
$ total = total + (i .AND. 7)
$ IF i .LT. {n} THEN GOTO loop
$ WRITE SYS$OUTPUT total
"""

BASH_LOOP = """\
i=0
total=0
while :; do
  i=$((i + 1))
  total=$((total + (i & 7)))
  if [ "$i" -lt {n} ]; then continue; fi
  break
done
echo "$total"
"""


def expected_total(n: int) -> int:
    return sum(i & 7 for i in range(1, n + 1))


def best_time(command: list[str], cwd: Path, runs: int) -> tuple[float, str]:
    best = float("inf")
    output = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n"
                     f"{done.stdout}{done.stderr}")
        best = min(best, elapsed)
        output = done.stdout.strip()
    return best, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", type=Path)
    args = parser.parse_args()
    n = args.iterations
    dcl = shutil.which("dcl")
    vmsenv = shutil.which("vmsenv")
    bash = shutil.which("bash")
    if not (dcl and vmsenv and bash):
        sys.exit("needs dcl, vmsenv (pip install -e .) and bash on PATH")

    with tempfile.TemporaryDirectory(prefix="vmsenv-bench-") as tmp:
        work = Path(tmp)
        root = args.root or work / "root"
        if args.root is None:
            subprocess.run([vmsenv, "init", str(root)], check=True, capture_output=True)
        disk = work / "disk"
        disk.mkdir()
        subprocess.run([vmsenv, "mount", "--root", str(root), "DKA300:", str(disk)],
                       check=True, capture_output=True)
        (disk / "loop.com").write_text(DCL_LOOP.format(n=n))
        (disk / "empty.com").write_text("$ EXIT\n")
        (disk / "loop.sh").write_text(BASH_LOOP.format(n=n))
        (disk / "empty.sh").write_text("exit 0\n")

        runs = args.runs
        dcl_empty, _ = best_time([dcl, "--root", str(root), "empty.com"], disk, runs)
        dcl_time, dcl_out = best_time([dcl, "--root", str(root), "loop.com"], disk, runs)
        bash_empty, _ = best_time([bash, "empty.sh"], disk, runs)
        bash_time, bash_out = best_time([bash, "loop.sh"], disk, runs)

    want = str(expected_total(n))
    for who, out in (("dcl", dcl_out), ("bash", bash_out)):
        if out != want:
            sys.exit(f"{who} printed {out!r}, expected {want}")
    lines = 3 + LINES_PER_ITERATION * n
    dcl_rate = lines / max(dcl_time - dcl_empty, 1e-9)
    bash_rate = lines / max(bash_time - bash_empty, 1e-9)
    print(f"loop of {n:,} iterations, {lines:,} lines; best of {runs} runs, start-up taken away")
    print(f"  dcl : {dcl_time:7.3f} s (start-up {dcl_empty:.3f} s)  {dcl_rate:12,.0f} lines/s")
    print(f"  bash: {bash_time:7.3f} s (start-up {bash_empty:.3f} s)  {bash_rate:12,.0f} lines/s")
    print(f"  ratio dcl/bash: {dcl_rate / bash_rate:.2f} (goal >= 0.50)")


if __name__ == "__main__":
    main()
