"""The queue pages by keyset in every sort: page after page, no ticket twice, none missed,
even when tickets share a due time or a priority."""

from __future__ import annotations

import pytest

from tests.helpers import DOWNTOWN
from tests.triage.helpers import new_ticket, patch

QUEUE = "/api/v1/triage/requests"


@pytest.fixture
def tickets(client, as_):
    headers = as_("amina")
    codes = []
    for i in range(7):
        service = {"service_code": "trottoir-degrade"} if i % 3 == 0 else {}
        codes.append(new_ticket(client, lat=DOWNTOWN["lat"] + i * 1e-4, **service)["tracking_code"])
    mine = [c for i, c in enumerate(codes) if i % 3]  # the potholes: amina's department
    for code, priority in zip(mine[:3], ("urgent", "low", "high"), strict=True):
        assert patch(client, headers, code, priority=priority).status_code == 200
    return codes


@pytest.mark.parametrize("sort", ["-requested", "due", "priority"])
def test_paging_walks_the_whole_queue_in_order(client, as_, tickets, sort):
    headers = as_("amina")
    whole = client.get(f"{QUEUE}?sort={sort}&limit=100", headers=headers).json["items"]
    expected = [item["tracking_code"] for item in whole]
    assert set(tickets) - set(expected) == {t for t in tickets[::3]}  # sidewalks: dt-*
    seen, url = [], f"{QUEUE}?sort={sort}&limit=2"
    while url:
        page = client.get(url, headers=headers)
        assert page.status_code == 200, page.json
        seen += [item["tracking_code"] for item in page.json["items"]]
        cursor = page.json["next_cursor"]
        url = f"{QUEUE}?sort={sort}&limit=2&cursor={cursor}" if cursor else None
    assert seen == expected


def test_a_cursor_of_another_sort_is_refused(client, as_, tickets):
    headers = as_("amina")
    first = client.get(f"{QUEUE}?sort=due&limit=2", headers=headers).json
    other = client.get(f"{QUEUE}?sort=priority&cursor={first['next_cursor']}", headers=headers)
    assert other.status_code == 422 and "cursor" in other.json["errors"]
