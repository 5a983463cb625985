"""Memory and time of the import's de-dup set: PhoneKeySet vs set[int] vs set[str].

    .venv/bin/python benchmarks/bench_dedup.py [--rows N [N ...]] [--repeat K] [--pipeline]

Adds N realistic, distinct E.164 mobile numbers (US/Canada, UK, Germany,
India, Brazil; default 200,000 and 1,000,000) to:

  PhoneKeySet  audience_cli.contacts.dedup, 8-byte slots in an array
  set[int]     a set of the same integer keys (what a wrapper would hold)
  set[str]     a set of the "+…" strings themselves

each through the same `add(phone) -> bool` the import pipeline calls. Every
measurement runs in a fresh subprocess so no run inherits another's freed
memory:

  traced peak  tracemalloc's peak while adding (includes a resize's old+new tables)
  retained     what tracemalloc still counts once all numbers are in
  RSS peak     growth of the process's peak RSS (ru_maxrss) in the first timed run
  time         best of K runs without tracemalloc, less the time to generate
               the numbers (measured alone)

--pipeline also runs the import pipeline (`collect_contacts`, as
benchmarks/bench_contacts.py does) on bench_contacts' file of the largest N
rows with each structure swapped in for PhoneKeySet, and prints its tracemalloc
peak: the figure the 64 MiB budget for `validate` of 1M rows is about.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Protocol

MIB = 1 << 20
DEDUP_PY = Path(__file__).resolve().parent.parent / "audience_cli" / "contacts" / "dedup.py"


def load_dedup() -> ModuleType:
    """dedup.py on its own: the figures neither include nor depend on the rest of the package."""
    spec = importlib.util.spec_from_file_location("dedup", DEDUP_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dedup = load_dedup()


class KeySet(Protocol):
    def add(self, phone: str) -> bool: ...
    def __len__(self) -> int: ...


class IntKeySet:
    """The set[int] candidate: a tiny wrapper with PhoneKeySet's API and validation."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: set[int] = set()

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, phone: str) -> bool:
        key = dedup._key(phone)
        if key in self._keys:
            return False
        self._keys.add(key)
        return True


class StrKeySet:
    """The set[str] candidate: keeps every number's string alive."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: set[str] = set()

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, phone: str) -> bool:
        if phone in self._keys:
            return False
        self._keys.add(phone)
        return True


STRUCTURES: dict[str, Callable[[], KeySet]] = {
    "PhoneKeySet": lambda: dedup.PhoneKeySet(),
    "set[int]": IntKeySet,
    "set[str]": StrKeySet,
}
GENERATION_ONLY = "(generation)"

UK_DE_PREFIXES = (151, 152, 157, 160, 162, 170, 171, 176)


def numbers(n: int, seed: int = 20240501) -> Iterator[str]:
    """N mobile numbers in E.164, each a new string as the pipeline's normaliser makes them.

    40% US/Canada (+1 NPA NXX XXXX), 20% UK (+44 7…), 20% Germany (+49 15x/16x/17x…),
    10% India (+91 [6-9]…), 10% Brazil (+55 11 9…). Drawn at random from spaces of
    10^8 and more, so repeats are a handful in a million."""
    bits = random.Random(seed).getrandbits
    for _ in range(n):
        v = bits(62)
        plan, v = v % 10, v // 10
        if plan < 4:
            yield f"+1{200 + v % 800}{200 + v // 800 % 800}{v // 640_000 % 10_000:04d}"
        elif plan < 6:
            yield f"+447{v % 10**9:09d}"
        elif plan < 8:
            yield f"+49{UK_DE_PREFIXES[v % 8]}{v // 8 % 10**8:08d}"
        elif plan == 8:
            yield f"+91{6 + v % 4}{v // 4 % 10**9:09d}"
        else:
            yield f"+55119{v % 10**8:08d}"


def max_rss_bytes() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


def child(kind: str, n: int, mode: str, repeat: int) -> dict[str, float | int | None]:
    """One measurement, in this (fresh) process."""
    gc.collect()
    if kind == GENERATION_ONLY:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for _phone in numbers(n):
                pass
            best = min(best, time.perf_counter() - started)
        return {"seconds": best}

    make = STRUCTURES[kind]
    if mode == "tracemalloc":
        tracemalloc.start()
        seen = make()
        add = seen.add
        for phone in numbers(n):
            add(phone)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"traced_peak": peak, "retained": current, "distinct": len(seen)}

    rss_before = max_rss_bytes()
    rss_after: int | None = None
    best = float("inf")
    distinct = 0
    for _ in range(repeat):
        seen = make()
        add = seen.add
        started = time.perf_counter()
        for phone in numbers(n):
            add(phone)
        best = min(best, time.perf_counter() - started)
        distinct = len(seen)
        if rss_after is None:  # later runs may reuse (or not) what the first one freed
            rss_after = max_rss_bytes()
        del seen, add
        gc.collect()
    rss = None if rss_before is None or rss_after is None else rss_after - rss_before
    return {"seconds": best, "rss_peak": rss, "distinct": distinct}


def pipeline_child(kind: str, csv_path: str) -> dict[str, float | int | None]:
    """The whole import pipeline on `csv_path`, with `kind` as its de-dup set."""
    from bench_contacts import run  # this script's directory is sys.path[0]

    import audience_cli.contacts.pipeline as pipeline

    if kind != "PhoneKeySet":  # the pipeline's own PhoneKeySet otherwise
        pipeline.PhoneKeySet = STRUCTURES[kind]  # type: ignore[misc,assignment]
    tracemalloc.start()
    _, rows, valid = run(Path(csv_path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"traced_peak": peak, "rows": rows, "valid": valid}


def measure(kind: str, n: int | str, mode: str, repeat: int) -> dict[str, float | int | None]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n), mode, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"{kind} at {n} rows ({mode}) failed:\n{done.stderr}")
    result: dict[str, float | int | None] = json.loads(done.stdout)
    return result


def mib(value: float | int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs (best is kept)")
    parser.add_argument(
        "--pipeline", action="store_true", help="also measure the import pipeline (slow)"
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "N", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, n, mode = args.child
        if mode == "pipeline":
            print(json.dumps(pipeline_child(kind, n)))
        else:
            print(json.dumps(child(kind, int(n), mode, args.repeat)))
        return

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}; timing: best of {args.repeat}"
    )
    header = (
        f"{'rows':>10}  {'structure':<12} {'traced peak':>12} {'retained':>10} "
        f"{'RSS peak':>10} {'time':>8} {'per number':>10}  {'vs PhoneKeySet (traced peak)'}"
    )
    print(header)
    print("-" * len(header))
    for n in args.rows:
        generation = float(measure(GENERATION_ONLY, n, "time", args.repeat)["seconds"] or 0)
        base_peak = 0
        for kind in STRUCTURES:
            traced = measure(kind, n, "tracemalloc", 1)
            timed = measure(kind, n, "time", args.repeat)
            seconds = max(0.0, float(timed["seconds"] or 0) - generation)
            peak = int(traced["traced_peak"] or 0)
            if kind == "PhoneKeySet":
                base_peak = peak
                versus = ""
            else:
                versus = f"+{(peak - base_peak) / MIB:.1f} MiB (x{peak / base_peak:.1f})"
            print(
                f"{n:>10,}  {kind:<12} {mib(peak):>12} {mib(traced['retained']):>10} "
                f"{mib(timed['rss_peak']):>10} {seconds:>7.2f}s "
                f"{seconds / n * 1e9:>7.0f} ns  {versus}"
            )
        print(f"{'':>10}  ({traced['distinct']:,} distinct; generating them: {generation:.2f}s)")

    if args.pipeline:
        pipeline_report(max(args.rows))


def pipeline_report(n: int) -> None:
    from bench_contacts import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        generate(path, n)
        print(f"\nImport pipeline (collect_contacts) on bench_contacts' file of {n:,} rows:")
        for kind in STRUCTURES:
            result = measure(kind, str(path), "pipeline", 1)
            print(
                f"{'':>10}  {kind:<12} {mib(result['traced_peak']):>12} traced peak "
                f"({result['valid']:,} of {result['rows']:,} rows valid)"
            )


if __name__ == "__main__":
    main()
