from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api_support import Api, open_api, complaint_body


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def test_smoke(api: Api) -> None:
    h = {**api.auth("desk"), "content-type": "application/json"}
    for raw in [
        '{"channel":"kiosk","community":"a","unit":"b","customer_name":"c","phone":"13800138000","description":"x\\u0000y"}',
        '{"channel":"kiosk","community":"a","unit":"b","customer_name":"c","phone":"13800138000","description":"x\\ud800y"}',
        '{"channel":"kiosk","community":"a\\u0000","unit":"b","customer_name":"c","phone":"13800138000","description":"xy"}',
        '[' * 30000 + ']' * 30000,
        '{"channel":' + '1' * 5000 + '}',
        b'{"channel":"\xff\xfe"}',
        '{"channel":"kiosk","community":"a","unit":"b","customer_name":"c","phone":"13800138000","description":"xy", "appointment": {"start": "9999-12-31T20:00:00-14:00", "end": "9999-12-31T23:00:00-14:00"}}',
        '{"channel":"kiosk","community":"a","unit":"b","customer_name":"c","phone":"13800138000","description":"xy", "appointment": {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-01T03:00:00+14:00"}}',
    ]:
        r = api.intake.post("/complaints", headers=h, content=raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
        print(r.status_code, r.text[:300])
        if r.status_code == 201:
            cid = r.json()["complaint_id"]
            try:
                api.route(cid)
            except Exception as e:
                print("route failed", repr(e)[:300])
            g = api.intake.get(f"/complaints/{cid}", headers=api.auth("desk"))
            print("get", g.status_code, g.text[:200])
            o = api.tracker.get("/orders", headers=api.auth("desk"))
            print("orders", o.status_code, o.text[:200])
            o = api.reporting.get("/reports/monthly?month=2026-10", headers=api.auth("desk"))
            print("report", o.status_code, o.text[:200])
