import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, reset_queries


@dataclass
class Result:
    name: str
    value: float
    unit: str
    goal: str = ""
    note: str = ""


def timed(function, *, repeat, warmup=3):
    """Call ``function`` ``repeat`` times; return (median ms, p95 ms, queries per call)."""
    for _ in range(warmup):
        function()
    durations = []
    queries = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
        queries.append(len(connection.queries))
    durations.sort()
    p95 = durations[max(0, int(len(durations) * 0.95) - 1)]
    return statistics.median(durations), p95, statistics.median(queries)


def print_table(results):
    rows = [("benchmark", "value", "unit", "goal", "note")]
    rows += [(r.name, f"{r.value:,.2f}", r.unit, r.goal, r.note) for r in results]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    line = "-+-".join("-" * w for w in widths)
    print()
    for index, row in enumerate(rows):
        print(
            " | ".join(
                str(cell).ljust(w) if i != 1 else str(cell).rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print(line)


ROOT = Path(__file__).resolve().parents[1]


def archive_tree(revision: str, into: Path, *bench_files: str) -> Path:
    """``git archive`` of ``revision`` unpacked in ``into``/tree, with this tree's
    ``bench_files`` (paths under bench/) copied in: the "before" side of a benchmark
    measured in the same run as the working tree."""
    tree = into / "tree"
    tree.mkdir()
    archive = subprocess.run(  # noqa: S603
        ["git", "archive", revision],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)  # noqa: S603, S607
    for name in ("common.py", *bench_files):
        (tree / "bench" / name).write_bytes((ROOT / "bench" / name).read_bytes())
    return tree


def measure_in_tree(tree: Path, module: str, label: str) -> dict:
    """Run ``bench.<module>._child()`` in ``tree`` in its own process, on its own fresh
    SQLite database (migrated there); returns the dict it printed after "MEASURED "."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as workdir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "campaign.settings.bench",
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'bench.sqlite3'}",
            "PYTHONPATH": str(tree),
        }
        output = subprocess.run(  # noqa: S603 - our own interpreter and file
            [sys.executable, "-c", f"import django; django.setup(); import bench.{module} as m; m._child()"],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in output.stdout.splitlines() if line.startswith("MEASURED ")]
        if output.returncode or not lines:
            raise RuntimeError(f"{label} side failed:\n{output.stdout[-2000:]}\n{output.stderr[-4000:]}")
        return json.loads(lines[-1].removeprefix("MEASURED "))


def child_main(measure):
    """A side's process: Django set up on a fresh database, migrated, measured."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("MEASURED " + json.dumps(measure()), flush=True)
