"""CPU per work item of the typed reads and of answering a FastAPI route with models.

Run: ``python -m benchmarks.bench_typed``. In process, no network, on the same 100-item
pages as ``bench_models`` (a second copy has ``state`` and ``assignees`` expanded, as
``expand=`` gives them). Two groups, each beside its baseline:

- reads: decode a page, wrap it (``structure_many``) and read one relation per item, as
  the field itself (``issue.state``) and as its typed companions (``state_id``,
  ``state_detail``, ``assignee_details``);
- responses: the JSON bytes of a 100-item page, as a FastAPI route would send them:
  ``orjson.dumps`` of the server's dicts (the floor), ``json.dumps`` of ``to_dict()`` per
  item (what users wrote before models were response models), and pydantic's
  ``TypeAdapter(list[Issue])`` / ``TypeAdapter(Page[Issue])`` ``dump_json`` (what a route
  annotated ``-> list[Issue]`` / ``-> Page[Issue]`` runs).

Informational: no target.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import orjson

from benchmarks.bench_models import PER_PAGE, _pages
from plane_async import Cursor, Page
from plane_async._models import _hooks, structure_many
from plane_async.models import Issue, to_dict

REPEATS = 7

Case = Callable[[list[Any]], None]


def _expanded(pages: list[bytes]) -> list[bytes]:
    out = []
    for raw in pages:
        body = orjson.loads(raw)
        for item in body["results"]:
            item["state"] = {"id": item["state"], "name": "Todo", "color": "#ccc",
                             "group": "unstarted"}  # fmt: skip
            item["assignees"] = [{"id": a, "display_name": "someone"} for a in item["assignees"]]
        out.append(orjson.dumps(body))
    return out


def _read(read: Callable[[Issue], object]) -> Case:
    def case(pages: list[Any]) -> None:
        for raw in pages:
            for issue in structure_many(Issue, orjson.loads(raw)["results"]):
                read(issue)

    return case


def _decoded(pages: list[bytes]) -> list[list[Issue]]:
    return [structure_many(Issue, orjson.loads(raw)["results"]) for raw in pages]


def _orjson_dicts(pages: list[Any]) -> None:
    for issues in pages:
        orjson.dumps([dict(i.raw) for i in issues])


def _to_dict_json(pages: list[Any]) -> None:
    for issues in pages:
        json.dumps([to_dict(i) for i in issues]).encode()


def _adapter(kind: str) -> Case:
    import pydantic

    if kind == "list":
        adapter: Any = pydantic.TypeAdapter(list[Issue])

        def case(pages: list[Any]) -> None:
            for issues in pages:
                adapter.dump_json(issues)

        return case
    adapter = pydantic.TypeAdapter(Page[Issue])

    def page_case(pages: list[Any]) -> None:
        for issues in pages:
            n = len(issues)
            page = Page(tuple(issues), n, n, 1, Cursor(n, 1), None, True, False, None,
                        Cursor(n, 0))  # fmt: skip
            adapter.dump_json(page)

    return page_case


def _best(cases: list[tuple[str, Case]], pages: list[Any]) -> dict[str, float]:
    items = len(pages) * PER_PAGE
    for _, case in cases:  # warm up
        case(pages[:2])
    best = {name: float("inf") for name, _ in cases}
    for _ in range(REPEATS):
        for name, case in cases:  # cases take turns: a busy machine slows all alike
            _hooks._UUID_CACHE.clear()
            start = time.process_time()
            case(pages)
            best[name] = min(best[name], (time.process_time() - start) / items * 1e6)
    return best


def run() -> list[dict[str, Any]]:
    """Rows: group, case, µs per item, ratio to the group's first case."""
    plain, expanded = _pages(), _expanded(_pages())
    groups = [
        ("read (ids)", plain, [
            ("issue.state", _read(lambda i: i.state)),
            ("issue.state_id", _read(lambda i: i.state_id)),
        ]),
        ("read (expanded)", expanded, [
            ("issue.state", _read(lambda i: i.state)),
            ("issue.state_detail", _read(lambda i: i.state_detail)),
            ("issue.state_detail.name", _read(lambda i: i.state_detail and i.state_detail.name)),
            ("issue.assignee_details", _read(lambda i: i.assignee_details)),
        ]),
        ("response JSON (expanded)", _decoded(expanded), [
            ("orjson.dumps(server dicts)", _orjson_dicts),
            ("json.dumps([to_dict(i)...])", _to_dict_json),
            ("TypeAdapter(list[Issue]).dump_json", _adapter("list")),
            ("TypeAdapter(Page[Issue]).dump_json", _adapter("page")),
        ]),
    ]  # fmt: skip
    rows = []
    for group, pages, cases in groups:
        best = _best(cases, pages)
        base = best[cases[0][0]]
        rows += [
            {"group": group, "case": name, "us_per_item": round(us, 2),
             "ratio": round(us / base, 2)}
            for name, us in best.items()
        ]  # fmt: skip
    return rows


def main() -> None:
    print(f"CPU per work item, {PER_PAGE}-item pages, best of {REPEATS}")
    for row in run():
        print(f"{row['group']:26} {row['case']:38} {row['us_per_item']:7.2f} µs "
              f"{row['ratio']:5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
