"""The running system, as a new user meets it: ``complaints run`` and HTTP, on a real broker.

Eight complaints of different categories are posted at the kiosk; each must
reach its department's queue and the board; they are worked to closed (or
left open, or withdrawn); the monthly report's numbers must match what we
count by hand; ``complaints rebuild`` must give the same report; Ctrl-C must
stop every process. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.support import System, children_of, drain_queue, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")

KIOSK = {"channel": "kiosk", "community": "荔园一期", "customer_name": "张三",
         "phone": "13800138000"}

# (unit, description, expected category, expected department)
EIGHT = [
    ("1-101", "电梯坏了，困在三楼", "repair.common_area", "engineering"),
    ("1-102", "楼道里很多垃圾没人清理", "cleaning.common_area", "environment"),
    ("1-103", "楼下草坪很久没修剪了", "landscaping.common_area", "environment"),
    ("1-104", "楼上装修电钻噪音太大", "renovation.disturbance", "security"),
    ("1-105", "有人挨家挨户推销保险", "intruder.sales", "security"),
    ("1-106", "我的报纸这周都没收到", "mail.lost_late", "security"),
    ("1-107", "小区里有可疑人员徘徊", "security.safety", "security"),
    ("1-108", "想咨询一下停车位的事情", "other", "customer_service"),
]


def work_to_closed(system: System, complaint_id: str, department: str, mail: bool) -> None:
    role = f"department:{department}"
    steps: list[tuple[str, dict[str, Any] | None]] = [
        ("accept", None), ("assign", {"team": "一班"}), ("complete", {"note": "处理完毕"})]
    for step, body in steps:
        response = system.call("POST", "tracker", f"/orders/{complaint_id}/{step}", role, body)
        assert response.status_code == 200, response.text
    if mail:
        response = system.call("POST", "tracker", f"/complaints/{complaint_id}/mail-check",
                               "department:security",
                               {"checked": "信报收发记录 11月", "finding": "投递员漏投，已补送"})
        assert response.status_code == 200, response.text
    response = system.call("POST", "tracker", f"/orders/{complaint_id}/sign-off", "desk",
                           {"quality": 5, "attitude": 4, "signed_by": "张三"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed"


def test_eight_complaints_flow_from_kiosk_to_report_and_rebuild_gives_the_same_report(
    system: System,
) -> None:
    ids: dict[str, str] = {}
    for unit, description, _category, _department in EIGHT:
        response = system.call("POST", "intake", "/complaints", "kiosk",
                               {**KIOSK, "unit": unit, "description": description})
        assert response.status_code == 201, response.text
        ids[unit] = response.json()["complaint_id"]

    # Every complaint is routed and dispatched by the dispatcher, via the broker.
    def all_dispatched() -> bool:
        for unit, _d, category, department in EIGHT:
            shown = system.call("GET", "intake", f"/complaints/{ids[unit]}", "desk").json()
            assert shown["status"] == "dispatched", shown
            assert (shown["category"], shown["department"]) == (category, department)
        return True

    wait_for("all eight dispatched", all_dispatched)

    # Each department's console queue got exactly its own orders; customer service
    # also got every registration (the supervisor's notice, P-5).
    expected: dict[str, set[str]] = {}
    for unit, _d, _c, department in EIGHT:
        expected.setdefault(department, set()).add(ids[unit])
    received: dict[str, list[dict[str, Any]]] = {d: [] for d in expected}

    def console_queues_filled() -> bool:
        for department in expected:
            received[department] += drain_queue(system.rabbitmq_url, f"dept.{department}")
        registrations = [m for m in received["customer_service"]
                         if m["type"] == "complaint.registered"]
        return len(registrations) == 8 and all(
            len([m for m in received[d] if m["type"] == "workorder.dispatched"]) == len(ids_)
            for d, ids_ in expected.items())

    wait_for("the console queues", console_queues_filled)
    for department, complaint_ids in expected.items():
        dispatched = [m for m in received[department] if m["type"] == "workorder.dispatched"]
        assert {m["stream_id"].removeprefix("complaint-") for m in dispatched} == complaint_ids
        assert all(m["payload"]["department"] == department for m in dispatched)

    # The board: a department sees its own orders only, sorted by time left.
    board = system.call("GET", "tracker", "/orders", "department:security").json()
    assert {o["complaint_id"] for o in board} == expected["security"]
    due = [o["due_at"] for o in board]
    assert due == sorted(due, key=lambda d: datetime.fromisoformat(d))
    everything = system.call("GET", "tracker", "/orders", "manager").json()
    assert len(everything) == 8

    # Worked to closed: six of them. One stays open (pending), one is withdrawn.
    for unit, _d, category, department in EIGHT[:6]:
        work_to_closed(system, ids[unit], department, mail=category == "mail.lost_late")
    withdrawn = system.call("POST", "intake", f"/complaints/{ids['1-108']}/withdraw", "desk",
                            {"reason": "客户已自行解决"})
    assert withdrawn.status_code == 200, withdrawn.text

    # A ninth complaint with a booked time that ends in two seconds, completed after it: late.
    booked_end = datetime.now(UTC) + timedelta(seconds=2)
    response = system.call("POST", "intake", "/complaints", "kiosk", {
        **KIOSK, "unit": "2-201", "description": "公共区域路灯不亮",
        "category": "repair.common_area",
        "appointment": {"start": (booked_end - timedelta(hours=1)).isoformat(),
                        "end": booked_end.isoformat()}})
    late_id = response.json()["complaint_id"]
    wait_for("the booked complaint dispatched", lambda: system.call(
        "GET", "intake", f"/complaints/{late_id}", "desk").json()["status"] == "dispatched")
    time.sleep(max(0.0, (booked_end - datetime.now(UTC)).total_seconds()) + 0.5)
    work_to_closed(system, late_id, "engineering", mail=False)

    month = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")
    report = system.call("GET", "reporting", f"/reports/monthly?month={month}", "manager").json()
    # By hand: 6 closed in time, 1 closed late, 1 open and not yet due, 1 withdrawn.
    assert (report["total"], report["timely"], report["late"], report["pending"],
            report["withdrawn"]) == (8, 6, 1, 1, 1)
    assert report["timely_rate"] == 75.0
    assert report["provisional"] is True
    assert report["by_department"]["security"]["total"] == 4
    assert report["by_department"]["engineering"].items() >= {
        "total": 2, "timely": 1, "late": 1, "pending": 0, "withdrawn": 0, "declined": 0,
        "timely_rate": 50.0, "escalated": 0}.items()  # beside the P-17 comparison and satisfaction
    assert report["by_department"]["customer_service"]["withdrawn"] == 1
    assert report["satisfaction"] == {"rated": 7, "quality": 5.0, "attitude": 4.0}

    board_before = system.call("GET", "tracker", "/orders?status=all", "manager").json()
    rebuilt = system.cli("rebuild")
    assert "rebuilt board" in rebuilt.stdout and "rebuilt monthly" in rebuilt.stdout
    again = system.call("GET", "reporting", f"/reports/monthly?month={month}", "manager").json()
    assert {k: v for k, v in again.items() if k != "generated_at"} == {
        k: v for k, v in report.items() if k != "generated_at"}
    board_after = system.call("GET", "tracker", "/orders?status=all", "manager").json()
    strip = [{k: v for k, v in o.items() if k != "minutes_left"} for o in board_before]
    assert strip == [{k: v for k, v in o.items() if k != "minutes_left"} for o in board_after]

    printed = system.cli("report", "--month", month, "--json")
    assert json.loads(printed.stdout)["timely"] == 6


def test_ctrl_c_stops_every_process_cleanly(system: System) -> None:
    children = children_of(system.process.pid)
    assert len(children) == 5  # four services and the relay
    system.process.send_signal(signal.SIGINT)
    assert system.process.wait(timeout=30) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()
