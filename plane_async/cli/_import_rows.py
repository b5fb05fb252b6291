"""Reading an import: JSONL or CSV rows to work-item fields, names resolved to ids.

Pure and synchronous: the rows, the project's states, labels and members in, the work
items to write (or the problems, line by line) out.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson

__all__ = ["FIELDS", "Names", "Wanted", "parse_mapping", "read_rows", "to_wanted"]

#: what an import can set, besides the external ids
FIELDS = ("name", "description_html", "priority", "state", "labels", "assignees",
          "start_date", "target_date")  # fmt: skip
_PRIORITIES = ("urgent", "high", "medium", "low", "none")
_SPLIT = re.compile(r"\s*[,;]\s*")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"Summary=name,Key=external_id"`` -> ``{"Summary": "name", "Key": "external_id"}``."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, field = part.partition("=")
        field = field.strip()
        if not sep or not column.strip() or field not in (*FIELDS, "external_id",
                                                          "external_source"):  # fmt: skip
            raise ValueError(
                f"--map takes COLUMN=FIELD pairs separated by commas, FIELD one of "
                f"{', '.join((*FIELDS, 'external_id', 'external_source'))}; got {part!r}"
            )
        mapping[column.strip()] = field
    return mapping


def read_rows(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a ``.jsonl`` or ``.csv`` file; CSV columns renamed by
    ``mapping`` (a column named like a field is taken as is)."""
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            n = 1
            try:
                for n, record in enumerate(reader, start=2):
                    row: dict[str, Any] = {}
                    for column, value in record.items():
                        field = mapping.get(column or "", column)
                        if field and value is not None and value.strip():
                            row[field] = value.strip()
                    yield n, row
            except csv.Error as exc:  # a field over the reader's limit, a stray NUL...
                raise ValueError(f"{path.name} line {n + 1}: {exc}") from None
        return
    with open(path, "rb") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {n}: not JSON ({exc})") from None
            if not isinstance(value, dict):
                raise ValueError(f"{path.name} line {n}: expected a JSON object")
            yield n, {mapping.get(k, k): v for k, v in value.items()}


@attrs.frozen
class Names:
    """Name -> id lookups of the target project, and the source export's id -> name."""

    states: Mapping[str, str]
    labels: Mapping[str, str]
    members: Mapping[str, str]
    #: ids of the export the file came from (``states.jsonl`` ... beside it) to names
    source: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def of(
        cls,
        states: Iterable[Mapping[str, Any]],
        labels: Iterable[Mapping[str, Any]],
        members: Iterable[Mapping[str, Any]],
        beside: Path | None = None,
    ) -> Names:
        def index(rows: Iterable[Mapping[str, Any]], *keys: str) -> dict[str, str]:
            out: dict[str, str] = {}
            for row in rows:
                out[str(row["id"])] = str(row["id"])
                for key in keys:
                    if row.get(key):
                        out.setdefault(str(row[key]).casefold(), str(row["id"]))
            return out

        source: dict[str, str] = {}
        for name in ("states", "labels", "members"):
            file = beside / f"{name}.jsonl" if beside is not None else None
            if file is not None and file.exists():
                for n, line in enumerate(file.read_bytes().splitlines(), start=1):
                    if not line.strip():
                        continue
                    try:
                        row = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        raise ValueError(f"{file.name} line {n}: not JSON ({exc})") from None
                    if not isinstance(row, dict):
                        raise ValueError(f"{file.name} line {n}: expected a JSON object")
                    label = row.get("name") or row.get("email") or row.get("display_name")
                    if row.get("id") and label:
                        source[str(row["id"])] = str(label)
        return cls(index(states, "name"), index(labels, "name"),
                   index(members, "email", "display_name"), source)  # fmt: skip

    def find(self, table: Mapping[str, str], value: object) -> str | None:
        text = str(value).strip()
        found = table.get(text) or table.get(text.casefold())
        if found is None and text in self.source:
            found = table.get(self.source[text].casefold())
        return found


@attrs.frozen
class Wanted:
    """One work item as the import wants it: its external ids and the fields to set."""

    line: int
    external_source: str
    external_id: str
    fields: dict[str, Any]
    #: label names that do not exist in the project yet (created by the import)
    new_labels: tuple[str, ...] = ()


#: Plane's longest name (work items, labels)
_MAX_NAME = 255


def _list(value: object) -> list[str]:
    """Names or ids: a list (of strings, or of objects with an ``id``) or a string separated
    by commas; ValueError for anything else (a dict, a number)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in _SPLIT.split(value) if p]
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict):
                v = v.get("id") or v.get("name")
            if not isinstance(v, str) or not v.strip():
                raise ValueError(v)
            out.append(v.strip())
        return out
    raise ValueError(value)


def _date(value: object) -> str | None:
    """A date (``YYYY-MM-DD``) or a date and time (its date is kept); ValueError for
    anything else, a valid date followed by other text included."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if len(text) == 10:
        return dt.date.fromisoformat(text).isoformat()
    return dt.datetime.fromisoformat(text).date().isoformat()


def to_wanted(
    n: int, row: Mapping[str, Any], names: Names, *, source: str
) -> tuple[Wanted | None, list[str]]:
    """The work item a row asks for, or the problems with it (each names the line)."""
    problems: list[str] = []
    name = str(row.get("name") or "").strip()
    if not name:
        problems.append(f"line {n}: no name")
    elif len(name) > _MAX_NAME:
        problems.append(f"line {n}: a name of {len(name)} characters is longer than Plane "
                        f"allows ({_MAX_NAME})")  # fmt: skip
    ext_source = row.get("external_source") or source
    ext_id = row.get("external_id") or row.get("id")
    if not ext_id:
        problems.append(
            f"line {n}: no external_id (map a column to it, e.g. --map 'Key=external_id'): "
            "it is what makes a re-run update instead of create"
        )
    fields: dict[str, Any] = {"name": name}
    if row.get("description_html") is not None:
        fields["description_html"] = str(row["description_html"])
    if row.get("priority") not in (None, ""):
        priority = str(row["priority"]).strip().lower()
        if priority not in _PRIORITIES:
            problems.append(f"line {n}: priority {row['priority']!r} is not one of "
                            f"{', '.join(_PRIORITIES)}")  # fmt: skip
        fields["priority"] = priority
    state = row.get("state")
    if isinstance(state, dict):
        state = state.get("id")
    if state not in (None, ""):
        found = names.find(names.states, state)
        if found is None:
            known = sorted({k for k in names.states if not _is_uuid(k)})
            problems.append(f"line {n}: state {state!r} is not a state of the project "
                            f"(its states: {', '.join(known)})")  # fmt: skip
        fields["state"] = found
    new_labels: list[str] = []
    for key in ("labels", "assignees"):
        if key in row:
            try:
                _list(row[key])
            except ValueError:
                problems.append(f"line {n}: {key} must be a list of names or ids, or names "
                                f"separated by commas; got {row[key]!r}")  # fmt: skip
                return None, problems
    if "labels" in row:
        ids = []
        for label in _list(row["labels"]):
            found = names.find(names.labels, label)
            if found is None:
                label = names.source.get(label, label)
                if _is_uuid(label):
                    problems.append(f"line {n}: label id {label} is not in the project")
                elif len(label) > _MAX_NAME:
                    problems.append(f"line {n}: a label name of {len(label)} characters is "
                                    f"longer than Plane allows ({_MAX_NAME})")  # fmt: skip
                new_labels.append(label)
            else:
                ids.append(found)
        fields["labels"] = ids
    if "assignees" in row:
        people = []
        for who in _list(row["assignees"]):
            found = names.find(names.members, who)
            if found is None:
                problems.append(f"line {n}: assignee {who!r} is not a member of the project "
                                "(by id, email or display name)")  # fmt: skip
            else:
                people.append(found)
        fields["assignees"] = people
    for key in ("start_date", "target_date"):
        if key in row:
            try:
                fields[key] = _date(row[key])
            except ValueError:
                problems.append(f"line {n}: {key} {row[key]!r} is not a date (YYYY-MM-DD)")
    if problems:
        return None, problems
    return Wanted(n, str(ext_source), str(ext_id), fields, tuple(new_labels)), []


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
