"""The four services in-process, over a real database, for the API tests.

``open_api(database_url, tmp_path)`` migrates the database, writes a tokens
file with ``ensure_tokens_file`` (plus one named desk token, ``desk-07``),
and builds intake, tracker, reporting and dispatcher around one store and one
:class:`FixedClock`. No broker: :meth:`Api.route` plays the dispatcher's part
on a registration, the way its queue consumer would.

A test module keeps its fixture to two lines::

    @pytest.fixture
    def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
        with open_api(database_url, tmp_path) as built:
            yield built
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient

from services.dispatcher.app import create_dispatcher_app
from services.dispatcher.handlers import DispatcherHandlers
from services.intake.app import create_intake_app
from services.reporting.app import create_reporting_app
from services.tracker.app import create_tracker_app
from shared.app.bootstrap import ServiceContext
from shared.app.clock import FixedClock
from shared.app.settings import Settings
from shared.eventstore.migrate import upgrade
from shared.eventstore.store import EventStore
from shared.http.auth import ensure_tokens_file
from shared.policy import Policy, load_policy, policy_from_dict
from shared.projections.board import BoardProjection
from shared.projections.monthly import MonthlyProjection
from shared.projections.worker import ProjectionKeeper

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 5 October 2026, 10:00 in Shanghai: the day the tests start.
T0 = datetime(2026, 10, 5, 10, 0, tzinfo=SHANGHAI)
# Nothing listens on port 1: the broker is "away", which intake must not mind.
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"
NAMED_DESK_TOKEN = "named-desk-token-0123456789abcdefghijklmnop"

ROLES = (
    "kiosk", "desk", "department:customer_service", "department:engineering",
    "department:security", "department:environment", "leadership", "manager",
)
DEPARTMENT_OF = {
    "other": "customer_service",
    "repair.in_unit": "engineering",
    "repair.common_area": "engineering",
    "facility.damage": "engineering",
    "cleaning.in_unit": "customer_service",
    "cleaning.common_area": "environment",
    "landscaping.common_area": "environment",
    "renovation.disturbance": "security",
    "intruder.sales": "security",
    "security.safety": "security",
    "mail.lost_late": "security",
}


def complaint_body(**changes: Any) -> dict[str, Any]:
    """A valid registration (contract.md's example, at the kiosk); ``None`` drops a field."""
    body: dict[str, Any] = {
        "channel": "kiosk",
        "community": "荔园一期",
        "unit": "3-1502",
        "customer_name": "张三",
        "phone": "13800138000",
        "description": "楼道里的灯不亮了",
        "category": "other",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def staff_body(**changes: Any) -> dict[str, Any]:
    """A registration a person took (phone), read back and signed for (P-5)."""
    base = {"channel": "phone", "read_back_confirmed": True, "received_by": "desk-07"}
    return complaint_body(**(base | changes))


def policy_with(**tables: dict[str, Any]) -> Policy:
    """The shipped policy with some top-level tables replaced (e.g. ``limits={...}``)."""
    data = load_policy().model_dump(mode="json")
    for category in data["categories"].values():
        category.pop("id")
    for fee in data["fees"].values():
        fee.pop("id")
    data.update(tables)
    return policy_from_dict(data)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a contract error answer (and checks its shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) >= {"code", "message", "fields"}, error
    assert isinstance(error["message"], str)
    assert isinstance(error["fields"], dict)
    return error


def aware(text: str) -> datetime:
    """An ISO 8601 time that carries its offset (``Z`` or ``±hh:mm``)."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None and moment.utcoffset() is not None, text
    return moment


@dataclass
class Api:
    clock: FixedClock
    store: EventStore
    policy: Policy
    tokens: dict[str, str]
    contexts: dict[str, ServiceContext]
    intake: TestClient
    tracker: TestClient
    reporting: TestClient
    dispatcher: TestClient
    clients: dict[str, TestClient] = field(default_factory=dict)

    # ------------------------------------------------------------------ time

    def advance(self, **delta: float) -> datetime:
        self.clock.at = self.clock.at + timedelta(**delta)
        return self.clock.at

    # ------------------------------------------------------------------ requests

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def post(self, client: TestClient, path: str, role: str, json: Any = None
             ) -> httpx.Response:
        if json is None:
            return client.post(path, headers=self.auth(role))
        return client.post(path, headers=self.auth(role), json=json)

    def register(self, role: str = "desk", **changes: Any) -> str:
        body = complaint_body(**changes)
        response = self.intake.post("/complaints", headers=self.auth(role), json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["complaint_id"])

    def route(self, complaint_id: str) -> None:
        """The dispatcher's queue consumer, fed the registration envelope."""
        registration = self.store.read_stream(f"complaint-{complaint_id}")[0]
        assert registration.type == "complaint.registered"
        DispatcherHandlers(self.contexts["dispatcher"]).on_message(registration)

    def new_order(self, category: str = "other", **changes: Any) -> str:
        """Registered and routed (dispatched, for a free category)."""
        complaint_id = self.register(category=category, **changes)
        self.route(complaint_id)
        return complaint_id

    def complaint(self, complaint_id: str, role: str = "desk") -> dict[str, Any]:
        response = self.intake.get(f"/complaints/{complaint_id}", headers=self.auth(role))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def order_step(self, complaint_id: str, step: str, role: str, json: Any = None
                   ) -> httpx.Response:
        return self.post(self.tracker, f"/orders/{complaint_id}/{step}", role, json)

    def work(self, complaint_id: str, department: str, *, through: str = "complete",
             team: str = "水电班") -> None:
        """Accept, assign and (by default) complete, each step answered 200."""
        role = f"department:{department}"
        steps: list[tuple[str, Any]] = [("accept", None), ("assign", {"team": team}),
                                        ("complete", {"note": "修好了"})]
        for name, body in steps:
            response = self.order_step(complaint_id, name, role, body)
            assert response.status_code == 200, (name, response.text)
            if name == through:
                return

    def sign_off(self, complaint_id: str, role: str = "desk", quality: int = 5,
                 attitude: int = 5) -> httpx.Response:
        return self.order_step(complaint_id, "sign-off", role, {
            "quality": quality, "attitude": attitude, "signed_by": "张三"})

    def orders(self, role: str = "desk", **query: str) -> list[dict[str, Any]]:
        response = self.tracker.get("/orders", headers=self.auth(role), params=query)
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def report(self, month: str = "2026-10", role: str = "manager", **query: str
               ) -> dict[str, Any]:
        response = self.reporting.get("/reports/monthly", headers=self.auth(role),
                                      params={"month": month, **query})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def registrations(self) -> int:
        return sum(1 for e in self.store.read_all(limit=100_000)
                   if e.type == "complaint.registered")


def _tokens(path: Path) -> dict[str, str]:
    ensure_tokens_file(path)
    with path.open("a", encoding="utf-8") as file:
        file.write(f'"{NAMED_DESK_TOKEN}" = {{ role = "desk", name = "desk-07" }}\n')
    table = tomllib.loads(path.read_text(encoding="utf-8"))["tokens"]
    by_role: dict[str, str] = {}
    for token, entry in table.items():
        role = entry if isinstance(entry, str) else entry["role"]
        by_role.setdefault(role, token)
    by_role["desk-07"] = NAMED_DESK_TOKEN
    assert set(ROLES) <= set(by_role), by_role
    return by_role


@contextmanager
def open_api(database_url: str, tmp_path: Path, *, policy: Policy | None = None,
             rabbitmq_url: str = UNREACHABLE_BROKER, start: datetime = T0) -> Iterator[Api]:
    upgrade(database_url)
    tokens_path = tmp_path / "tokens.toml"
    tokens = _tokens(tokens_path)
    settings = Settings(database_url=database_url, complaints_tokens=tokens_path,
                        rabbitmq_url=rabbitmq_url)
    policy = policy or load_policy()
    clock = FixedClock(start)
    store = EventStore.from_url(database_url, clock=clock.now)  # one clock, as bootstrap does
    contexts = {name: ServiceContext(name, settings, policy, store, clock)
                for name in ("intake", "tracker", "reporting", "dispatcher")}
    apps = {
        "intake": create_intake_app(contexts["intake"]),
        "tracker": create_tracker_app(contexts["tracker"],
                                      ProjectionKeeper(store, BoardProjection())),
        "reporting": create_reporting_app(contexts["reporting"],
                                          ProjectionKeeper(store, MonthlyProjection())),
        "dispatcher": create_dispatcher_app(contexts["dispatcher"]),
    }
    clients = {name: TestClient(app, raise_server_exceptions=False)
               for name, app in apps.items()}
    try:
        yield Api(clock=clock, store=store, policy=policy, tokens=tokens, contexts=contexts,
                  intake=clients["intake"], tracker=clients["tracker"],
                  reporting=clients["reporting"], dispatcher=clients["dispatcher"],
                  clients=clients)
    finally:
        for client in clients.values():
            client.close()
        store.engine.dispose()
