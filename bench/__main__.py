"""Run the benchmarks in bench/ and print one table.

    python -m bench                 # every bench_*.py module
    python -m bench home            # only modules whose name contains "home"

Each module defines ``run() -> list[Result]``. ``BENCH_SET`` overrides a module's
volume constants for a quick run of the whole set (say, to check that each benchmark
runs after the others), e.g.
``BENCH_SET=dashboard.INSTITUTIONS=2000,dashboard.SESSIONS=8000 python -m bench``.

The runner points Django at a fresh database (a temporary SQLite file unless
DATABASE_URL is set), migrates it once and empties it between benchmarks (``flush``),
so each one starts from the same empty database whatever ran before it. Numbers and
how they were taken: docs/performance.md.
"""

import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings.bench")
    workdir = tempfile.mkdtemp(prefix="jemputbola-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"database: {os.environ['DATABASE_URL'].split('@')[-1]} "
        f"(migrated in {time.perf_counter() - started:.1f} s)"
    )

    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    wanted = [name for name in names if not argv or any(arg in name for arg in argv)]
    results = []
    for index, name in enumerate(wanted):
        if index:
            # Each benchmark builds its own data on an empty database: what one leaves
            # behind (50,000 institutions, their contacts) must not change the next.
            call_command("flush", interactive=False, verbosity=0)
            from django.core.cache import cache

            cache.clear()
        module = importlib.import_module(f"bench.{name}")
        for assignment in filter(None, os.environ.get("BENCH_SET", "").split(",")):
            target, value = assignment.split("=", 1)
            short, constant = target.strip().rsplit(".", 1)
            if name == f"bench_{short}":
                setattr(module, constant, type(getattr(module, constant))(value))
        print(f"running {name} …", flush=True)
        results.extend(module.run())

    from bench.common import print_table

    print_table(results)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
