"""Helpers shared by the integration tests: waiting, queues, ports, complaint histories, rows.

Nothing here is a fixture (fixtures live in the test modules that use them);
these are plain functions and small classes over the real components.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pika
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from shared.app.clock import FixedClock
from shared.app.command_handler import ComplaintHandler, Outcome
from shared.domain import commands as c
from shared.events import Metadata
from shared.eventstore.commit_nudge import CHANNEL
from shared.eventstore.store import EventStore
from shared.messaging.topology import declare_topology
from shared.policy import Policy
from shared.projections.runner import Projection

WAIT_SECONDS = 30.0


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def free_udp_port() -> int:
    """A loopback UDP port nobody is bound to right now (for the relay's commit nudge)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nudge(store: EventStore, port: int) -> None:
    """Wake a relay waiting on ``port`` (or on LISTEN) without appending anything."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"NOTIFY {CHANNEL}")
        return
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"!", ("127.0.0.1", port))


# --------------------------------------------------------------------------- broker


@contextmanager
def channel_on(url: str) -> Iterator[Any]:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        yield connection.channel()
    finally:
        connection.close()


def take_all(url: str, queue: str) -> list[tuple[Any, bytes]]:
    """Take every ready message off ``queue``: (properties, body) pairs, in queue order.

    Declares the topology first (idempotent), so a test may look before anyone published.
    """
    with channel_on(url) as channel:
        declare_topology(channel)
        messages: list[tuple[Any, bytes]] = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return messages
            messages.append((properties, body))


class QueueReader:
    """Accumulates what arrives on one queue across polls, for ``wait_for``."""

    def __init__(self, url: str, queue: str) -> None:
        self.url, self.queue = url, queue
        self.messages: list[tuple[Any, bytes]] = []

    def poll(self) -> list[tuple[Any, bytes]]:
        self.messages.extend(take_all(self.url, self.queue))
        return self.messages

    def has(self, predicate: Callable[[Any], bool]) -> bool:
        return any(predicate(properties) for properties, _ in self.poll())

    def of_type(self, event_type: str) -> list[tuple[Any, bytes]]:
        return [(p, b) for p, b in self.messages
                if (p.headers or {}).get("event_type") == event_type]


# --------------------------------------------------------------------------- complaints


class Desk:
    """Drives complaints through the real :class:`ComplaintHandler` at chosen moments.

    Every command runs at ``self.clock.at``; move it with :meth:`at`.
    """

    def __init__(self, store: EventStore, policy: Policy, start: datetime) -> None:
        self.clock = FixedClock(start)
        self.handler = ComplaintHandler(store, policy, self.clock)

    def at(self, moment: datetime) -> Desk:
        self.clock.at = moment
        return self

    def later(self, **delta: float) -> Desk:
        self.clock.at = self.clock.at + timedelta(**delta)
        return self

    def run(self, complaint_id: str, command: c.Command) -> Outcome:
        return self.handler.execute(complaint_id, command, Metadata(actor="test",
                                                                    correlation_id=complaint_id))

    def register(self, description: str = "楼道里很脏", *, category: str | None = None,
                 community: str = "荔园一期", severity: str = "normal",
                 complaint_id: str | None = None) -> str:
        complaint_id = complaint_id or str(uuid.uuid4())
        self.run(complaint_id, c.RegisterComplaint(
            complaint_id=complaint_id, channel="kiosk", community=community, unit="3-1502",
            customer_name="张三", phone="13800138000", description=description,
            category=category, severity=severity))
        return complaint_id

    def route(self, complaint_id: str) -> Outcome:
        return self.run(complaint_id, c.RouteComplaint())

    def dispatched(self, category: str, **options: Any) -> str:
        """A free complaint of ``category``, registered and dispatched now."""
        complaint_id = self.register(category=category, **options)
        self.route(complaint_id)
        return complaint_id

    def complete(self, complaint_id: str, team: str = "水电班") -> None:
        self.run(complaint_id, c.AcceptOrder())
        self.run(complaint_id, c.AssignTeam(team=team))
        self.run(complaint_id, c.CompleteOrder(note="修好了"))

    def sign_off(self, complaint_id: str, quality: int = 5, attitude: int = 5) -> None:
        self.run(complaint_id, c.SignOff(quality=quality, attitude=attitude, signed_by="张三"))

    def withdraw(self, complaint_id: str) -> None:
        self.run(complaint_id, c.Withdraw(reason="自己修好了"))


def mixed_history(desk: Desk) -> dict[str, str]:
    """Complaints in every state a board or a month distinguishes; name -> complaint id."""
    ids: dict[str, str] = {}
    ids["registered"] = desk.register("说不清楚的问题")  # never routed
    ids["dispatched"] = desk.dispatched("repair.common_area")
    desk.later(minutes=7)
    ids["accepted"] = desk.dispatched("cleaning.common_area")
    desk.run(ids["accepted"], c.AcceptOrder())
    ids["assigned"] = desk.dispatched("renovation.disturbance")
    desk.run(ids["assigned"], c.AcceptOrder())
    desk.run(ids["assigned"], c.AssignTeam(team="巡逻班"))
    ids["completed"] = desk.dispatched("facility.damage")
    desk.later(hours=2).complete(ids["completed"])
    ids["closed"] = desk.dispatched("repair.common_area", severity="serious")
    desk.later(hours=1).complete(ids["closed"])
    desk.later(minutes=30).sign_off(ids["closed"], quality=4, attitude=5)
    ids["late_closed"] = desk.dispatched("intruder.sales")
    desk.later(hours=1).complete(ids["late_closed"], team="保安班")
    desk.sign_off(ids["late_closed"], quality=3, attitude=4)
    ids["withdrawn"] = desk.dispatched("cleaning.common_area")
    desk.withdraw(ids["withdrawn"])
    ids["awaiting_decision"] = desk.register("厨房水龙头漏水")
    desk.route(ids["awaiting_decision"])
    ids["awaiting_quote"] = desk.register("请安排家庭保洁")
    desk.route(ids["awaiting_quote"])
    ids["declined"] = desk.register("请安排家庭保洁")
    desk.route(ids["declined"])
    desk.run(ids["declined"], c.IssueQuote(items=(c.QuoteItem("deep_clean.per_hour", 2),)))
    desk.run(ids["declined"], c.DeclineQuote(reason="太贵"))
    ids["paid_dispatched"] = desk.register("厨房水龙头漏水")
    desk.route(ids["paid_dispatched"])
    desk.run(ids["paid_dispatched"], c.DecidePaid(paid=True))
    desk.run(ids["paid_dispatched"], c.IssueQuote(items=(c.QuoteItem("faucet.replace"),)))
    desk.run(ids["paid_dispatched"], c.AcceptQuote())
    # --- P-9 B warnings and chases, auto-close
    ids["chased"] = desk.dispatched("intruder.sales")  # due in 30 minutes, warned at 24
    desk.later(minutes=5).run(ids["chased"], c.RecordFollowUp(note="已告知业主进度"))
    desk.later(minutes=20).run(ids["chased"], c.WarnOrder())
    desk.later(minutes=10).run(ids["chased"], c.ChaseOrder())
    ids["auto_closed"] = desk.dispatched("cleaning.common_area")
    desk.complete(ids["auto_closed"])
    back = desk.clock.at
    desk.later(days=7).run(ids["auto_closed"], c.AutoClose())
    desk.at(back)
    return ids


# --------------------------------------------------------------------------- rows


def projection_rows(engine: sa.Engine, projection: Projection) -> dict[str, list[dict[str, Any]]]:
    """Every table of ``projection`` as the code's own table objects read it."""
    result: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in projection.tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
            result[table.name] = [_normalised(dict(row)) for row in rows]
    return result


def replayed_rows(store: EventStore, projection: Projection) -> dict[str, list[dict[str, Any]]]:
    """The single-threaded reference: every stored event applied once, in one go, elsewhere."""
    reference = sa.create_engine("sqlite://", poolclass=StaticPool)
    copies_md = sa.MetaData()
    copies = {t.name: t.to_metadata(copies_md) for t in projection.tables}
    copies_md.create_all(reference)
    history = store.read_all(after=0, limit=1_000_000)
    with reference.begin() as conn:
        projection.apply(conn, history, copies)
    result: dict[str, list[dict[str, Any]]] = {}
    with reference.connect() as conn:
        for name, table in copies.items():
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
            result[name] = [_normalised(dict(row)) for row in rows]
    reference.dispose()
    return result


def _normalised(row: dict[str, Any]) -> dict[str, Any]:
    """Aware UTC datetimes and plain bools whichever backend stored them."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        out[key] = value
    return out


def positions(envelopes: Sequence[Any]) -> list[int]:
    return [e.position for e in envelopes]
