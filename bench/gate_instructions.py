"""Instructions per gate scan, the real endpoint against the bare view: a figure that does not move
with the machine's load (bench/gate_profile.py's times do).

    .venv/bin/python bench/gate_instructions.py [--db tz_city_100000] [--n 300] [--postgres URL]

Runs bench/gate_profile.py's stack (the WSGI application of bench/gate_stack, in process, no
socket) under `valgrind --tool=callgrind` three times, in parallel: warm-up only, then N real scans
more, then N bare scans more; each figure is the difference to the warm-up run divided by N, the
instructions of this process only (PostgreSQL's are not counted). PYTHONHASHSEED is fixed. Needs
valgrind and a database of bench/city.py (`--keep`); it inserts passages into it.
Figures are printed, never asserted.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
WARM_UP = 30


def inner(db: str, postgres: str, real: int, bare: int) -> None:
    from gate_profile import stack

    call, paths = stack(db, postgres)
    for _ in range(WARM_UP):  # lazy imports, caches, prepared statements: the same in every run
        assert call(paths["real"]) == 200
        assert call(paths["bare"]) == 200
    for name, n in (("real", real), ("bare", bare)):
        for _ in range(n):
            assert call(paths[name]) == 200, name


def collected(db: str, postgres: str, real: int, bare: int, out: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--inner",
            f"--db={db}",
            f"--postgres={postgres}",
            f"--real={real}",
            f"--bare={bare}",
        ],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="tz_city_100000")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--real", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.db, args.postgres, args.real, args.bare)
        return
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            name: collected(args.db, args.postgres, real, bare, f"{tmp}/{name}.out")
            for name, real, bare in (("base", 0, 0), ("real", args.n, 0), ("bare", 0, args.n))
        }
        totals = {}
        for name, run in runs.items():
            _out, err = run.communicate()
            found = re.search(r"Collected : (\d+)", err)
            if run.returncode or not found:
                raise SystemExit(f"{name}: valgrind failed\n{err[-3000:]}")
            totals[name] = int(found.group(1))
    real = (totals["real"] - totals["base"]) / args.n
    bare = (totals["bare"] - totals["base"]) / args.n
    print(
        f"instructions per scan (callgrind, this process only, {args.n} scans): "
        f"real {real / 1e6:.3f} M, bare {bare / 1e6:.3f} M, real/bare {real / bare:.2f}×"
    )


if __name__ == "__main__":
    main()
