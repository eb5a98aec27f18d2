"""SIGKILL reliability: 20 trials of (start gateway, drive load with the simulator, SIGKILL at a random moment,
restart); then check that every acknowledged packet — and each of its values — is in the database.

    .venv/bin/python bench/hj212_sigkill.py [--trials 20] [--devices 20] [--rate 1000] [--postgres-url URL]
    .venv/bin/python bench/hj212_sigkill.py --devices 200 --rate 20000 --fast-path-backlog 0   (vectorised path)
    .venv/bin/python bench/hj212_sigkill.py --devices 200 --kind air --rate 5000   (acks through hj212_inbox)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.reliability import run_kill_trials
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--postgres-url", default=None)
    ap.add_argument("--kind", default="cems")
    ap.add_argument("--window", type=int, default=None, help="as fast as acks allow, this many in flight per device")
    ap.add_argument("--gateway-option", action="append", default=[], metavar="OPTION",
                    help="passed to python -m ecoloop.hj212.gateway, e.g. --gateway-option=--landing-min=1")
    ap.add_argument("--fast-path-backlog", type=int, default=None,
                    help="gateway option; 0 puts every data frame on the vectorised path")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecoloop-sigkill-"))
    try:
        engine = make_engine(args.postgres_url or f"sqlite:///{tmp / 'ecoloop.sqlite3'}")
        migrate.upgrade(engine)
        devices = provision_devices(engine, args.devices, kind=args.kind)
        extra = (["--fast-path-backlog", str(args.fast_path_backlog)] if args.fast_path_backlog is not None else []) + [
            *args.gateway_option]
        report = run_kill_trials(engine, devices, tmp, trials=args.trials, rate=args.rate, min_run=0.5,
                                 max_run=3.0, gateway_args=extra)
        print(f"trials {report.trials}; acknowledged packets {report.acked:,}; resent after kills {report.resent:,}; "
              f"reconnects {report.reconnects:,}; missing packets {len(report.missing)}; missing values "
              f"{report.values_missing}; LOSSES {report.losses}; values waiting in hj212_inbox at the kills "
              f"{report.landed_at_kill:,}; {report.seconds:.0f} s")
        return 0 if report.losses == 0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
