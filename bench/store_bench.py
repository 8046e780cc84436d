"""Event-store and projection throughput, as ratios to a baseline measured in the same run.

    .venv/bin/python bench/store_bench.py [--complaints 300] [--database-url URL]

For each backend (SQLite in a temporary file; PostgreSQL when --database-url or
DATABASE_URL names one: a scratch database is created and dropped) it prints:

- baseline: single-row INSERT + COMMIT into a plain table (the backend's
  durable-commit ceiling on this machine);
- complaint life: register → route/dispatch → accept → assign → complete →
  sign-off through ComplaintHandler (load, decide, append with outbox), one
  append per command, as events/s and as a share of the baseline;
- projection catch-up: board + monthly from position 0, events/s, against a
  raw scan of the events table.

Machines here are noisy: read the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from shared.app.clock import SystemClock
from shared.app.command_handler import ComplaintHandler
from shared.domain import commands as c
from shared.events import Metadata
from shared.eventstore.engines import make_engine, write_transaction
from shared.eventstore.migrate import upgrade
from shared.eventstore.store import EventStore
from shared.policy import load_policy
from shared.projections.board import BoardProjection
from shared.projections.monthly import MonthlyProjection
from shared.projections.runner import catch_up


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    count = fn()
    return count, time.perf_counter() - start


def baseline_inserts(url: str, n: int) -> int:
    engine = make_engine(url)
    table = sa.Table("bench_baseline", sa.MetaData(),
                     sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))
    table.drop(engine, checkfirst=True)
    table.create(engine)
    for i in range(n):
        with write_transaction(engine) as conn:
            conn.execute(sa.insert(table).values(id=i, body="{}"))
    table.drop(engine)
    engine.dispose()
    return n


def complaint_lives(handler: ComplaintHandler, n: int) -> int:
    meta = Metadata(actor="bench")
    events = 0
    for i in range(n):
        cid = str(uuid.uuid4())
        steps: list[c.Command] = [
            c.RegisterComplaint(complaint_id=cid, channel="kiosk", community="荔园一期",
                                unit=f"1-{i}", customer_name="张三", phone="13800138000",
                                description="电梯坏了"),
            c.RouteComplaint(), c.AcceptOrder(), c.AssignTeam(team="电梯班"),
            c.CompleteOrder(note="ok"),
            c.SignOff(quality=5, attitude=5, signed_by="张三"),
        ]
        for command in steps:
            events += len(handler.execute(cid, command, meta).recorded)
    return events


def raw_scan(store: EventStore) -> int:
    count, after = 0, 0
    while batch := store.read_all(after=after, limit=500):
        count += len(batch)
        after = batch[-1].position or after
    return count


def bench(label: str, url: str, complaints: int) -> None:
    upgrade(url)
    store = EventStore.from_url(url)
    handler = ComplaintHandler(store, load_policy(), SystemClock())
    n_base, t_base = timed(lambda: baseline_inserts(url, complaints * 6))
    n_life, t_life = timed(lambda: complaint_lives(handler, complaints))
    n_scan, t_scan = timed(lambda: raw_scan(store))
    n_proj, t_proj = timed(lambda: catch_up(store, BoardProjection())
                           + catch_up(store, MonthlyProjection()))
    base_rate, life_rate = n_base / t_base, n_life / t_life
    scan_rate, proj_rate = n_scan / t_scan, n_proj / t_proj
    print(f"[{label}] at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {complaints} complaint lives")
    print(f"  baseline insert+commit      {base_rate:9.0f} rows/s   1.00")
    print(f"  complaint life (append)     {life_rate:9.0f} ev/s     {life_rate / base_rate:.2f}"
          " of baseline")
    print(f"  raw scan of events          {scan_rate:9.0f} ev/s     1.00")
    print(f"  projection catch-up (both)  {proj_rate:9.0f} ev/s     {proj_rate / scan_rate:.2f}"
          " of raw scan")
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench("sqlite", f"sqlite:///{folder}/bench.db", args.complaints)
    if args.database_url.startswith("postgresql"):
        name = f"complaints_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(args.database_url).set(database=name)
        try:
            bench("postgresql", url.render_as_string(hide_password=False), args.complaints)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
