"""The database goes away under intake: 503 with Retry-After, never a 500; back, 201 again.

A private PostgreSQL (tests/faults/private_postgres.py) is stopped with
``pg_ctl stop -m immediate`` while registrations are being posted, as in the
incident of issue 5 (361 answers of 500, "a defect in this service").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.faults.private_postgres import PrivatePostgres, private_postgres
from tests.integration.api_support import Api, complaint_body, error_of, open_api

# Posts before the database is stopped; then posts until this many 503s in a row.
BEFORE_STOP = 5
REFUSED_IN_A_ROW = 10
MAX_POSTS = 400


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as started:
        yield started


@pytest.fixture
def api(cluster: PrivatePostgres, tmp_path: Path) -> Iterator[Api]:
    with open_api(cluster.url, tmp_path) as built:
        yield built


def _post(api: Api) -> tuple[int, dict[str, str], dict[str, object]]:
    response = api.intake.post("/complaints", headers=api.auth("desk"), json=complaint_body())
    return response.status_code, dict(response.headers), response.json()


def _post_through_the_stop(api: Api, cluster: PrivatePostgres
                           ) -> list[tuple[int, dict[str, str], dict[str, object]]]:
    """Post registrations; after the first few, the database is stopped mid-stream."""
    answers: list[tuple[int, dict[str, str], dict[str, object]]] = []
    stopper = threading.Thread(target=cluster.stop, args=("immediate",))
    refused = 0
    while refused < REFUSED_IN_A_ROW and len(answers) < MAX_POSTS:
        if len(answers) == BEFORE_STOP:
            stopper.start()  # posts go on while the server dies
        answers.append(_post(api))
        refused = refused + 1 if answers[-1][0] == 503 else 0
    stopper.join(timeout=60)
    return answers


def test_a_database_stopped_under_posts_answers_503_then_201_once_back(
    api: Api, cluster: PrivatePostgres
) -> None:
    with capture_logs() as logs:
        answers = _post_through_the_stop(api, cluster)
        assert not cluster.running()
        read = api.intake.get("/complaints/00000000-0000-4000-8000-000000000000",
                              headers=api.auth("desk"))
        board = api.tracker.get("/orders", headers=api.auth("desk"))

    statuses = [status for status, _, _ in answers]
    assert 500 not in statuses, statuses
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[:BEFORE_STOP] == [201] * BEFORE_STOP
    assert statuses[-REFUSED_IN_A_ROW:] == [503] * REFUSED_IN_A_ROW
    for status, headers, body in answers:
        if status == 503:
            assert headers["retry-after"] == "5"
            assert body["error"]["code"] == "store_unavailable"  # type: ignore[index]
    for response in (read, board):  # reads say so too, in the contract's format
        assert response.status_code == 503, response.text
        assert error_of(response)["code"] == "store_unavailable"
        assert response.headers["Retry-After"] == "5"

    warnings = [e for e in logs if e["event"] == "store.unavailable"]
    assert len(warnings) == statuses.count(503) + 2
    assert all(e["log_level"] == "warning" and "exc_info" not in e for e in warnings)
    assert not [e for e in logs if e["log_level"] == "error"]

    cluster.start()
    status, _, body = _post(api)
    assert status == 201, body
    # Every registration acknowledged with 201 survived the crash.
    accepted = [b["complaint_id"] for s, _, b in answers if s == 201] + [body["complaint_id"]]
    for complaint_id in accepted:
        assert api.complaint(str(complaint_id))["status"] in {"registered", "dispatched"}
