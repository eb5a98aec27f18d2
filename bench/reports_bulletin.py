"""Benchmark: the annual bulletin of the demo city (issue 9: < 5 s).

    .venv/bin/python bench/reports_bulletin.py [--db sqlite:///path/ecoloop.sqlite3] [--period 2022] [--runs 3]

Without ``--db`` a temporary SQLite database is created and the demo city loaded (not timed). Prints the time of
each stage (collect per section, compose incl. charts, Word) and the end-to-end median.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from ecoloop.reports import collect as collect_module
from ecoloop.reports.compose import compose
from ecoloop.reports.docx_writer import write_docx
from ecoloop.reports.period import parse_period
from ecoloop.store.engine import make_engine, session_scope


def _prepare(db: str | None) -> str:
    if db:
        return db
    from ecoloop.demo.loader import load_demo
    from ecoloop.store import migrate

    path = Path(tempfile.mkdtemp(prefix="ecoloop-bench-")) / "ecoloop.sqlite3"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    load_demo(engine)
    print(f"demo city loaded into {path} in {time.perf_counter() - started:.1f} s (not timed)")
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db")
    parser.add_argument("--period", default="2022")
    parser.add_argument("--region", default="140500")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(_prepare(args.db))
    period = parse_period(args.period)

    # Time each collector the way collect() calls them.
    timed: dict[str, list[float]] = {}
    originals = dict(collect_module.COLLECTORS)
    for name, (func, empty) in originals.items():
        def wrapper(session, p, region, _func=func, _name=name):  # noqa: ANN001, ANN202
            t0 = time.perf_counter()
            try:
                return _func(session, p, region)
            finally:
                timed.setdefault(_name, []).append(time.perf_counter() - t0)
        collect_module.COLLECTORS[name] = (wrapper, empty)

    totals, composing, writing, cpu = [], [], [], []
    for _ in range(args.runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            data = collect_module.collect(session, period, args.region, today=date.today())
        t1 = time.perf_counter()
        report = compose(data)
        t2 = time.perf_counter()
        buf = io.BytesIO()
        write_docx(report, buf)
        t3 = time.perf_counter()
        totals.append(t3 - t0)
        cpu.append(time.process_time() - c0)
        composing.append(t2 - t1)
        writing.append(t3 - t2)
    collect_module.COLLECTORS.update(originals)

    print(f"annual bulletin {data.region_name} {period.key}: {len(buf.getvalue()) / 1024:.0f} KiB .docx, "
          f"{len(report.blocks)} blocks, {sum(1 for b in report.blocks if type(b).__name__ == 'Figure')} charts, "
          f"{len(report.tables)} tables; missing sections: {', '.join(report.missing) or 'none'}")
    for name, values in timed.items():
        print(f"  collect {name:<12} median {statistics.median(values):6.2f} s")
    print(f"  compose (text, charts) median {statistics.median(composing):6.2f} s")
    print(f"  write .docx            median {statistics.median(writing):6.2f} s")
    verdict = "OK" if statistics.median(totals) < 5 else "OVER BUDGET"
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"process CPU time: median {statistics.median(cpu):.2f} s (machine load average {' '.join(load)}, "
          f"{os.cpu_count()} CPUs)")
    print(f"end to end: median {statistics.median(totals):.2f} s over {args.runs} runs "
          f"(min {min(totals):.2f}, max {max(totals):.2f}) — budget 5 s: {verdict}")


if __name__ == "__main__":
    main()
