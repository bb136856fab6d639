import statistics
import time
from dataclasses import dataclass

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
