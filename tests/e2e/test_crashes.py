"""A crash anywhere loses nothing and does nothing twice (outbox + relay, idempotent consumers).

The relay and the dispatcher are killed with SIGKILL while complaints keep
arriving; ``complaints run`` starts them again; every complaint must end up
routed and dispatched exactly once.
"""

from __future__ import annotations

import os
import signal
import threading

from tests.e2e.support import System, children_of, process_running, wait_for

# Posted with the desk token: forty in a row is over a kiosk's burst (30).
KIOSK = {"channel": "kiosk", "community": "荔园二期", "customer_name": "李四",
         "phone": "0755-86001234", "description": "电梯按钮失灵"}


def post_complaints(system: System, count: int, prefix: str) -> list[str]:
    ids = []
    for i in range(count):
        response = system.call("POST", "intake", "/complaints", "desk",
                               {**KIOSK, "unit": f"{prefix}-{i}"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["complaint_id"])
    return ids


def kill(system: System, module: str) -> int:
    pid = wait_for(f"{module} running", lambda: process_running(system.process.pid, module))
    os.kill(pid, signal.SIGKILL)
    return int(pid)


def test_killing_the_relay_and_the_dispatcher_mid_stream_loses_and_repeats_nothing(
    system: System,
) -> None:
    ids: list[str] = []
    posting = threading.Thread(target=lambda: ids.extend(post_complaints(system, 30, "a")))
    posting.start()
    killed_relay = kill(system, "services.relay")
    killed_dispatcher = kill(system, "services.dispatcher")
    posting.join(120)
    ids += post_complaints(system, 10, "b")

    # Both were started again, as new processes.
    wait_for("the relay back", lambda: process_running(system.process.pid, "services.relay")
             not in (None, killed_relay))
    wait_for("the dispatcher back", lambda: process_running(
        system.process.pid, "services.dispatcher") not in (None, killed_dispatcher))

    def dispatched_once(complaint_id: str) -> bool:
        shown = system.call("GET", "intake", f"/complaints/{complaint_id}", "desk").json()
        types = [entry["type"] for entry in shown["history"]]
        assert types.count("complaint.routed") <= 1, types
        assert types.count("workorder.dispatched") <= 1, types
        return shown["status"] == "dispatched"

    wait_for("all forty dispatched", lambda: all(dispatched_once(i) for i in ids), seconds=120)
    board = system.call("GET", "tracker", "/orders", "department:engineering").json()
    assert sorted(o["complaint_id"] for o in board) == sorted(ids)
    assert len(children_of(system.process.pid)) == 5
