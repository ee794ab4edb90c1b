"""`make bench`: the regional-scale benchmark on PostgreSQL (docs/performance.md).

For each size (a fraction of size L) it creates a fresh database `bench_<size>` on the server
of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), runs `benchmarks.size` in it
(migrate, seed, VACUUM ANALYZE, measure), and drops it unless --keep. Then it fits how each
figure grows with the size, prints the table and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks import results
from benchmarks.size import GROUPS, ROOT

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"


def _server(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The benchmark needs PostgreSQL: DATABASE_URL is {parts.scheme}://...")
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _psql(server: str, sql: str) -> str:
    return subprocess.run(  # noqa: S603
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", server + "postgres", "-c", sql],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _database(size: float) -> str:
    return "bench_" + results.size_key(size).replace(".", "_")


def _git_commit() -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="0.1,0.333,1",
        type=lambda text: [float(s) for s in text.split(",")],
        help="fractions of size L, comma-separated (default 0.1,0.333,1)",
    )
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"groups to measure, comma-separated, of {','.join(GROUPS)}",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench_* databases")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    if any(size <= 0 for size in args.sizes):
        parser.error("every size is a fraction of L above 0, e.g. --sizes 0.1,0.333,1")
    unknown = set(args.only.split(",")) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s) {', '.join(sorted(unknown))} (of {', '.join(GROUPS)})")

    server = _server(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    runs, harness, seeders = {}, {}, set()
    for size in args.sizes:
        key, database = results.size_key(size), _database(size)
        print(f"size {key} (database {database})", flush=True)
        _psql(server, f'DROP DATABASE IF EXISTS "{database}"')
        _psql(server, f'CREATE DATABASE "{database}"')
        started = time.perf_counter()
        out = ROOT / "bench" / f".size-{key}.json"
        out.parent.mkdir(exist_ok=True)
        try:
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "benchmarks.size",
                    "--size",
                    str(size),
                    "--only",
                    args.only,
                    "--out",
                    str(out),
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "DATABASE_URL": server + database,
                    "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
                },
                check=True,
            )
            run = json.loads(out.read_text())
        finally:
            out.unlink(missing_ok=True)
            if not args.keep:
                _psql(server, f'DROP DATABASE IF EXISTS "{database}"')
        runs[key] = run["figures"]
        seeders.add(run["seeder"])
        harness[key] = {**run["harness_seconds"], "total": time.perf_counter() - started}

    document = results.results_document(
        sizes=args.sizes,
        runs=runs,
        about={
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "seeder": sorted(seeders),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "postgres": _psql(server, "SHOW server_version"),
            },
            "harness_seconds": harness,
        },
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print()
    print(results.table(document))
    if missed := results.misses(document):
        print("\n" + missed)
    if "seed_demo" in seeders:
        print("\nThe demo program stood in for seed_scale: the sizes are all the same program.")
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
