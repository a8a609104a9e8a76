"""Load the bench's data set straight into PostgreSQL as the owner role.

Going through the admin API would take minutes for ten thousand people and is
not what is measured, so rows go in with COPY and ``INSERT ... SELECT
generate_series``. Card keys, PIN hashes and token hashes come from the app's
own modules, so the API finds these rows exactly as it finds its own.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from app.auth import new_token, token_hash
from app.cards import wiegand_key
from app.pins import pin_hash

SITE_PREFIX = "Bench "
# Both hemispheres and several DST rules, so local-time schedules really differ.
TIMEZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Los_Angeles",
)
DOOR_SPAN = 12
DAY = 24 * 60


@dataclass(frozen=True)
class Scale:
    """Sizes of the data set; the defaults are the issue's published ones."""

    people: int = 10_000
    doors: int = 200
    sites: int = 5
    groups: int = 50
    events: int = 1_000_000
    event_days: int = 180
    holidays_per_site: int = 10

    @property
    def doors_per_site(self) -> int:
        return self.doors // self.sites

    @property
    def groups_per_site(self) -> int:
        return self.groups // self.sites


QUICK = Scale(events=100_000)
FULL = Scale()


@dataclass
class Card:
    person_id: int
    site_id: int
    format: str
    facility_code: int
    card_number: int
    pin: str
    usable: bool


@dataclass
class Dataset:
    """What was loaded, and what the load generator needs to use it."""

    counts: dict[str, int]
    timezones: list[str]
    load_s: float
    reader_tokens: dict[int, str] = field(default_factory=dict)
    auditor_token: str = ""
    # reader id -> (door id, requires_pin); site id per door
    readers: dict[int, tuple[int, bool]] = field(default_factory=dict)
    door_sites: dict[int, int] = field(default_factory=dict)
    door_groups: dict[int, set[int]] = field(default_factory=dict)
    group_members: dict[int, list[int]] = field(default_factory=dict)
    cards: dict[int, Card] = field(default_factory=dict)
    person_ids: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return self.counts | {
            "timezones": self.timezones,
            "load_s": round(self.load_s, 1),
        }


def _pin_of(n: int) -> str:
    # 7919 is prime to 10^6, so n -> PIN is one-to-one for n below a million:
    # PINs stay unique per site without a retry loop.
    return f"{(n * 7919 + 123_457) % 1_000_000:06d}"


def _copy(
    cur: psycopg.Cursor, table: str, columns: Sequence[str], rows: Sequence
) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _ids(cur: psycopg.Cursor, query: str, *params: Any) -> list[int]:
    return [row[0] for row in cur.execute(query, params).fetchall()]


def load(conninfo: str, pin_key: str, scale: Scale) -> Dataset:
    """Load ``scale`` rows into the database at ``conninfo`` in one transaction."""
    started = time.monotonic()
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    data = Dataset(counts={}, timezones=list(TIMEZONES[: scale.sites]), load_s=0.0)

    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        site_ids = []
        for zone in data.timezones:
            cur.execute(
                "INSERT INTO sites (name, timezone) VALUES (%s, %s) RETURNING id",
                (f"{SITE_PREFIX}{zone}", zone),
            )
            site_ids.append(cur.fetchone()[0])

        door_rows = []
        for s, site_id in enumerate(site_ids):
            for d in range(scale.doors_per_site):
                # One locked-down and one unlocked door per site; every tenth
                # door wants card and PIN, a few accept a PIN alone.
                mode = {0: "locked_down", 1: "unlocked"}.get(d, "normal")
                door_rows.append(
                    (site_id, f"Door {s}-{d:03d}", mode, d % 10 == 5, d % 20 == 7)
                )
        _copy(
            cur,
            "doors",
            ("site_id", "name", "mode", "requires_pin", "allows_pin_only"),
            door_rows,
        )
        doors = cur.execute(
            "SELECT d.id, d.site_id, d.requires_pin FROM doors d JOIN sites s"
            " ON s.id = d.site_id WHERE s.name LIKE %s ORDER BY d.id",
            (SITE_PREFIX + "%",),
        ).fetchall()
        data.door_sites = {door_id: site_id for door_id, site_id, _ in doors}
        door_ids_of_site = {
            site_id: [d for d, s, _ in doors if s == site_id] for site_id in site_ids
        }

        cur.execute(
            "INSERT INTO readers (door_id, name, direction)"
            " SELECT d.id, 'Reader ' || dir, dir FROM doors d"
            " CROSS JOIN (VALUES ('in'), ('out')) AS v(dir)"
            " WHERE d.id = ANY(%s)",
            (list(data.door_sites),),
        )
        requires_pin = {door_id: pin for door_id, _, pin in doors}
        for reader_id, door_id in cur.execute(
            "SELECT id, door_id FROM readers WHERE door_id = ANY(%s) ORDER BY id",
            (list(data.door_sites),),
        ).fetchall():
            data.readers[reader_id] = (door_id, requires_pin[door_id])

        # People: a few disabled, a few outside their validity window.
        cur.execute(
            "INSERT INTO people (name, enabled, valid_from, valid_until)"
            " SELECT 'Bench person ' || n, n %% 53 <> 0,"
            " CASE WHEN n %% 89 = 0 THEN now() + interval '30 days' END,"
            " CASE WHEN n %% 97 = 0 THEN now() - interval '1 day' END"
            " FROM generate_series(1, %s) AS n",
            (scale.people,),
        )
        data.person_ids = _ids(
            cur, "SELECT id FROM people WHERE name LIKE 'Bench person %%' ORDER BY id"
        )

        credential_rows = []
        for n, person_id in enumerate(data.person_ids, start=1):
            site_id = site_ids[n % len(site_ids)]
            fmt = "h10301" if n % 2 else "h10304"
            facility = 10 + n % len(site_ids) if fmt == "h10301" else 1000 + n % 7
            card = wiegand_key(fmt, facility, n)
            disabled = n % 41 == 0
            expired = n % 43 == 0
            until = now - dt.timedelta(days=2) if expired else None
            credential_rows.append(
                (
                    person_id,
                    site_id,
                    "card",
                    card.format,
                    card.facility_code,
                    card.card_number,
                    card.bit_length,
                    card.key,
                    None,
                    not disabled,
                    until,
                )
            )
            pin = _pin_of(n)
            credential_rows.append(
                (
                    person_id,
                    site_id,
                    "pin",
                    None,
                    None,
                    None,
                    None,
                    None,
                    pin_hash(pin_key, pin),
                    True,
                    None,
                )
            )
            data.cards[person_id] = Card(
                person_id, site_id, fmt, facility, n, pin, not (disabled or expired)
            )
        _copy(
            cur,
            "credentials",
            (
                "person_id",
                "site_id",
                "kind",
                "card_format",
                "facility_code",
                "card_number",
                "bit_length",
                "card_key",
                "pin_hash",
                "enabled",
                "valid_until",
            ),
            credential_rows,
        )

        group_rows, frames, group_doors, members = [], [], [], []
        for site_id in site_ids:
            for k in range(scale.groups_per_site):
                group_rows.append((site_id, f"Bench group {k}"))
        _copy(cur, "access_groups", ("site_id", "name"), group_rows)
        groups = cur.execute(
            "SELECT g.id, g.site_id, g.name FROM access_groups g"
            " WHERE g.site_id = ANY(%s) ORDER BY g.id",
            (site_ids,),
        ).fetchall()
        groups_of_site: dict[int, list[int]] = {s: [] for s in site_ids}
        for group_id, site_id, _ in groups:
            k = len(groups_of_site[site_id])
            groups_of_site[site_id].append(group_id)
            frames += _schedule(group_id, k)
            site_doors = door_ids_of_site[site_id]
            start = (k * 4) % len(site_doors)
            span = min(DOOR_SPAN, len(site_doors))
            for door_id in (site_doors * 2)[start : start + span]:
                group_doors.append((group_id, door_id))
                data.door_groups.setdefault(door_id, set()).add(group_id)
        _copy(
            cur,
            "time_frames",
            ("group_id", "weekday", "start_minute", "end_minute"),
            frames,
        )
        _copy(cur, "access_group_doors", ("group_id", "door_id"), group_doors)

        for n, person_id in enumerate(data.person_ids, start=1):
            site_groups = groups_of_site[site_ids[n % len(site_ids)]]
            # n // sites runs through every integer within one site, so every
            # group of the site gets members.
            rank = n // len(site_ids)
            for group_id in {
                site_groups[rank % len(site_groups)],
                site_groups[(rank * 7 + 3) % len(site_groups)],
            }:
                members.append((person_id, group_id))
                data.group_members.setdefault(group_id, []).append(person_id)
        _copy(cur, "access_group_members", ("person_id", "group_id"), members)

        holidays = []
        for s, site_id in enumerate(site_ids):
            for h in range(scale.holidays_per_site):
                # Spread over the coming year, never today: today's decisions
                # should meet the schedules, not a holiday.
                date = today + dt.timedelta(days=7 + h * 35 + s)
                holidays.append((site_id, date, f"Bench holiday {h}"))
        _copy(cur, "holidays", ("site_id", "date", "name"), holidays)

        tokens = []
        for reader_id in data.readers:
            token = new_token()
            data.reader_tokens[reader_id] = token
            tokens.append(
                (f"bench reader {reader_id}", "reader", reader_id, token_hash(token))
            )
        data.auditor_token = new_token()
        tokens.append(
            ("bench auditor", "auditor", None, token_hash(data.auditor_token))
        )
        _copy(cur, "api_tokens", ("name", "role", "reader_id", "token_hash"), tokens)

        _load_events(cur, data, scale)
        conn.commit()

        # ANALYZE outside the load transaction so the planner sees the rows.
        conn.autocommit = True
        cur.execute("ANALYZE")

    data.counts = {
        "sites": len(site_ids),
        "doors": len(data.door_sites),
        "readers": len(data.readers),
        "people": len(data.person_ids),
        "credentials": len(credential_rows),
        "access_groups": len(groups),
        "time_frames": len(frames),
        "holidays": len(holidays),
        "events": scale.events,
    }
    data.load_s = time.monotonic() - started
    return data


def _schedule(group_id: int, k: int) -> list[tuple[int, int, int, int]]:
    """Weekly frames by group kind: office, round the clock, night, weekend."""
    kind = k % 5
    if kind in (0, 1):
        return [(group_id, day, 7 * 60, 19 * 60) for day in range(1, 6)]
    if kind == 2:
        return [(group_id, day, 0, DAY) for day in range(1, 8)]
    if kind == 3:
        return [
            frame
            for day in range(1, 8)
            for frame in ((group_id, day, 0, 6 * 60), (group_id, day, 22 * 60, DAY))
        ]
    return [(group_id, day, 8 * 60, 20 * 60) for day in (6, 7)]


def _load_events(cur: psycopg.Cursor, data: Dataset, scale: Scale) -> None:
    """Fill the event log over the past ``event_days`` in one statement."""
    cur.execute(
        "CREATE TEMP TABLE bench_readers (i int PRIMARY KEY, reader_id bigint,"
        " door_id bigint, site_id bigint) ON COMMIT DROP"
    )
    _copy(
        cur,
        "bench_readers",
        ("i", "reader_id", "door_id", "site_id"),
        [
            (i, reader_id, door_id, data.door_sites[door_id])
            for i, (reader_id, (door_id, _)) in enumerate(data.readers.items())
        ],
    )
    cur.execute(
        "CREATE TEMP TABLE bench_people (i int PRIMARY KEY, person_id bigint)"
        " ON COMMIT DROP"
    )
    _copy(cur, "bench_people", ("i", "person_id"), list(enumerate(data.person_ids)))
    cur.execute(
        "CREATE TEMP TABLE bench_reasons (i int PRIMARY KEY, decision text,"
        " reason text) ON COMMIT DROP"
    )
    # Roughly the mix a busy site logs: mostly granted, a tail of denials.
    reasons = [("granted", "access_granted")] * 16 + [
        ("denied", r)
        for r in (
            "outside_schedule",
            "no_access_group",
            "unknown_credential",
            "pin_mismatch",
        )
    ]
    _copy(
        cur,
        "bench_reasons",
        ("i", "decision", "reason"),
        [(i, *pair) for i, pair in enumerate(reasons)],
    )

    cur.execute(
        "INSERT INTO access_events (event_id, reader_id, door_id, site_id,"
        " person_id, credential_id, decision, reason, occurred_at)"
        " SELECT gen_random_uuid(), r.reader_id, r.door_id, r.site_id,"
        " CASE WHEN x.reason = 'unknown_credential' THEN NULL ELSE p.person_id END,"
        " NULL, x.decision, x.reason,"
        " now() - (n::float8 / %(events)s) * %(days)s * interval '1 day'"
        "   - random() * interval '1 minute'"
        " FROM generate_series(1, %(events)s) AS n"
        # Hashes of n at distant offsets pick reader, person and outcome
        # independently (hashint8 equals hashint4 on small values): modular
        # steps of n would tie each reader to a few outcomes, and a door with
        # no denials at all makes "denied at this door" scan its whole history.
        " JOIN bench_readers r ON r.i = abs(hashint4(n)) %% %(readers)s"
        " JOIN bench_people p ON p.i = abs(hashint4(n + 700000001)) %% %(people)s"
        " JOIN bench_reasons x ON x.i = abs(hashint4(n + 1400000003)) %% %(reasons)s",
        {
            "events": scale.events,
            "days": scale.event_days,
            "readers": len(data.readers),
            "people": len(data.person_ids),
            "reasons": len(reasons),
        },
    )


def existing_counts(conninfo: str) -> dict[str, int]:
    """Rows of an earlier bench load in this database, if any."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM sites WHERE name LIKE %s),"
            " (SELECT count(*) FROM access_events)",
            (SITE_PREFIX + "%",),
        ).fetchone()
    return {"sites": row[0], "events": row[1]}


def as_dict(scale: Scale) -> dict[str, int]:
    return asdict(scale)
