"""Hypothesis strategies for tickets: `ticket_dicts()` (input dicts) and `tickets()` (models).

The dicts exercise what intake normalizes (integer ids, tags in any case with spaces, header
names that differ only in case, ISO strings and datetime objects with any whole-minute offset).
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from routing.model import Channel, Priority, Status, Ticket

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide")

_WORD = string.ascii_letters + string.digits + "-_."

optional_text = st.none() | st.text(max_size=20)

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)

aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC) | offsets,
)

timestamps = st.none() | aware_datetimes | aware_datetimes.map(datetime.isoformat)

tags = st.text(_WORD, min_size=1, max_size=12).flatmap(
    lambda tag: st.sampled_from([tag, tag.upper(), f" {tag}", f"{tag}\t"])
)

header_names = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=16)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)

requester_dicts = st.fixed_dictionaries(
    {},
    optional={
        "email": st.none() | st.emails() | st.text(max_size=10),
        "name": optional_text,
        "domain": optional_text,
        "language": st.none() | st.sampled_from(["en", "de", "fr-CA"]),
        "timezone": st.none() | st.sampled_from(ZONES),
        "organization": optional_text,
    },
)

attachment_dicts = st.fixed_dictionaries(
    {
        "filename": st.text(max_size=12),
        "content_type": st.sampled_from(["text/plain", "image/png", "application/pdf"]),
        "size": st.integers(min_value=0, max_value=10**9),
    }
)


def ticket_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Valid input dicts, as an adapter would read them."""
    return st.fixed_dictionaries(
        {"id": st.text(min_size=1, max_size=12) | st.integers()},
        optional={
            "subject": st.text(max_size=30),
            "body": st.text(max_size=60),
            "channel": st.sampled_from([c.value for c in Channel]),
            "status": st.sampled_from([s.value for s in Status]),
            "priority": st.sampled_from(list(Priority)),
            "queue": optional_text,
            "assignee": optional_text,
            "requester": requester_dicts,
            "tags": st.lists(tags, max_size=5) | st.sets(tags, max_size=5),
            "headers": st.dictionaries(header_names, st.text(max_size=20), max_size=6),
            "attachments": st.lists(attachment_dicts, max_size=2),
            "created_at": timestamps,
            "updated_at": timestamps,
            "fields": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
            "spam": st.booleans(),
            "spam_score": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5),
        },
    )


def tickets() -> st.SearchStrategy[Ticket]:
    """Valid tickets."""
    return ticket_dicts().map(Ticket.from_dict)
