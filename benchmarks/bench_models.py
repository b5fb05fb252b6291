"""CPU per work item: decoding a 100-item page and reading four fields.

Run: ``python -m benchmarks.bench_models``. Every case decodes the same pages (built from
the recorded work item, with distinct ids, names, dates and relations) and reads the same
four fields of every item: ``id`` (UUID), ``name``, ``created_at`` (datetime), ``state``
(UUID). Cases:

- ``json + dicts``: ``json.loads`` and dict lookups, no types (the baseline);
- ``orjson + dicts``: the same with orjson;
- ``plane_async``: orjson, ``structure_many`` and typed attribute reads;
- ``plane_async, all fields``: the same, reading every field of every item;
- ``eager cattrs``: every field converted up front (the strict converter), then the reads.

The UUID cache is cleared before each measured pass so that ids seen in an earlier pass
do not flatter the result.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from plane_async._models import Issue, _hooks
from plane_async._models.converter import strict_converter, structure_many

PER_PAGE = 100
PAGES = 20
REPEATS = 7
_FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "work-items-list-per_page-3.json"


def _pages() -> list[bytes]:
    envelope = json.loads(_FIXTURE.read_text())["body"]
    template = envelope["results"][0]
    rng = random.Random(7)
    states = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5)]
    users = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(8)]
    labels = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(6)]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    pages = []
    for p in range(PAGES):
        results = []
        for i in range(PER_PAGE):
            n = p * PER_PAGE + i
            created = (start + dt.timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
            item = dict(
                template,
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                name=f"Work item #{n}: {rng.choice(['fix', 'add', 'drop'])} something",
                sequence_id=n + 1,
                created_at=created,
                updated_at=created,
                state=rng.choice(states),
                priority=rng.choice(["urgent", "high", "medium", "low", "none"]),
                assignees=rng.sample(users, rng.randint(0, 2)),
                labels=rng.sample(labels, rng.randint(0, 2)),
            )
            results.append(item)
        pages.append(orjson.dumps(dict(envelope, results=results, count=PER_PAGE)))
    return pages


def _json_dicts(pages: list[bytes]) -> None:
    for page in pages:
        for d in json.loads(page)["results"]:
            _ = d["id"], d["name"], d["created_at"], d["state"]


def _orjson_dicts(pages: list[bytes]) -> None:
    for page in pages:
        for d in orjson.loads(page)["results"]:
            _ = d["id"], d["name"], d["created_at"], d["state"]


def _ours(pages: list[bytes]) -> None:
    for page in pages:
        for issue in structure_many(Issue, orjson.loads(page)["results"]):
            _ = issue.id, issue.name, issue.created_at, issue.state


def _sent(pages: list[bytes]) -> tuple[str, ...]:
    """The fields the pages' rows carry (a field the server did not send raises on read:
    ``FieldNotRequestedError``, so "every field" is every field sent)."""
    row = orjson.loads(pages[0])["results"][0]
    return tuple(f.name for f in Issue.__plane_fields__.values() if f.key in row)


def _ours_all_fields(pages: list[bytes]) -> None:
    names = _sent(pages)
    for page in pages:
        for issue in structure_many(Issue, orjson.loads(page)["results"]):
            for name in names:
                getattr(issue, name)


_STRICT = strict_converter()


def _eager(pages: list[bytes]) -> None:
    structure = _STRICT.structure
    for page in pages:
        for d in orjson.loads(page)["results"]:
            issue = structure(d, Issue)
            _ = issue.id, issue.name, issue.created_at, issue.state


CASES: list[tuple[str, Callable[[list[bytes]], None]]] = [
    ("json + dicts (baseline)", _json_dicts),
    ("orjson + dicts", _orjson_dicts),
    ("plane_async (4 typed fields)", _ours),
    ("plane_async, every field sent", _ours_all_fields),
    ("eager cattrs (strict), 4 fields", _eager),
]


def _once(fn: Callable[[list[bytes]], None], pages: list[bytes]) -> float:
    _hooks._UUID_CACHE.clear()
    start = time.process_time()
    fn(pages)
    return (time.process_time() - start) / (len(pages) * PER_PAGE) * 1e6


def run() -> list[dict[str, Any]]:
    """Measure every case; each row: case, µs per item, ratio to the json baseline.

    Cases take turns within each repeat, so a busy machine slows all of them alike; the
    best of the repeats is kept.
    """
    pages = _pages()
    for _, fn in CASES:  # warm up: hook compilation, interpreter caches
        fn(pages[:2])
    best = {case: float("inf") for case, _ in CASES}
    for _ in range(REPEATS):
        for case, fn in CASES:
            best[case] = min(best[case], _once(fn, pages))
    baseline = best[CASES[0][0]]
    return [
        {"case": case, "us_per_item": round(us, 2), "ratio": round(us / baseline, 2)}
        for case, us in best.items()
    ]


def main() -> None:
    rows = run()
    print(f"CPU per work item, {PER_PAGE}-item pages x {PAGES}, best of {REPEATS}")
    print(f"{'case':36} {'µs/item':>8} {'vs json':>8}")
    for row in rows:
        print(f"{row['case']:36} {row['us_per_item']:8.2f} {row['ratio']:7.2f}x")


if __name__ == "__main__":
    main()
