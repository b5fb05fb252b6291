"""The export's options: its flags, their checks, and what identifies a job in its checkpoint."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import attrs

from .. import PlaneValueError, Query
from ..models import Issue
from ._common import UsageError, add_progress_flag
from ._folder import CHECKPOINT_EVERY

__all__ = ["FILES", "PER_ITEM", "PER_PROJECT", "ExportOptions", "add_export_flags"]

PER_ITEM = ("comments", "links", "activities")
PER_PROJECT = ("states", "labels", "members", "work-items", "modules", "cycles")
FILES = tuple(
    f"{name}.jsonl" for name in ("projects", *PER_PROJECT, "module-work-items", "cycle-work-items")
)
#: work items whose per-item resources are read at once


def add_export_flags(parser: argparse.ArgumentParser, *, default_out: str | None) -> None:
    parser.add_argument(
        "--out", default=default_out, required=default_out is None, metavar="FOLDER",
        help="the folder to write (created; an interrupted export there is resumed)",
    )  # fmt: skip
    parser.add_argument(
        "--project", default=None, metavar="WEB,API",
        help="only these projects (identifiers or ids; default: every project)",
    )  # fmt: skip
    parser.add_argument(
        "--include", default="", metavar="comments,links,activities",
        help="per-work-item resources too (one request or more per work item and resource)",
    )  # fmt: skip
    parser.add_argument("--fields", default=None, help="work-item fields to keep (id, project "
                        "are always kept)")  # fmt: skip
    parser.add_argument("--expand", default=None, help="work-item relations to expand, e.g. "
                        "state,assignees")  # fmt: skip
    parser.add_argument("--restart", action="store_true",
                        help="discard an unfinished export in --out and start over")  # fmt: skip
    parser.add_argument("--plan", action="store_true",
                        help="print the requests the export needs and stop")  # fmt: skip
    parser.add_argument(
        "--checkpoint-every", type=float, default=CHECKPOINT_EVERY, metavar="SECONDS",
        help="save the checkpoint at most this often while pages come in (default "
        f"{CHECKPOINT_EVERY:g}; 0: after every page); a stopped run always saves it, a killed "
        "one fetches again what came after its last checkpoint",
    )  # fmt: skip
    add_progress_flag(parser)


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (text or "").split(",") if p.strip()))


@attrs.frozen
class ExportOptions:
    out: Path
    projects: tuple[str, ...] | None
    include: tuple[str, ...]
    query: Query | None
    per_page: int
    restart: bool = False
    plan_only: bool = False
    progress: str = "auto"
    #: seconds between two checkpoints while pages come in (not part of the job)
    checkpoint_every: float = CHECKPOINT_EVERY

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ExportOptions:
        include = _names(args.include)
        unknown = [n for n in include if n not in PER_ITEM]
        if unknown:
            raise UsageError(
                f"--include takes {', '.join(PER_ITEM)}; unknown: {', '.join(unknown)}"
            )
        every = args.checkpoint_every
        if not (math.isfinite(every) and every >= 0):
            raise UsageError(f"--checkpoint-every takes seconds, 0 or more; got {every:g}")
        fields, expand = _names(args.fields), _names(args.expand)
        query = None
        if fields or expand:
            query = Query()
            if fields:
                query = query.fields(*fields, "id", "project")
            if expand:
                query = query.expand(*expand)
            try:
                query.to_params(Issue)
            except PlaneValueError as exc:
                # the client's unchecked=True has no flag here: the command checks every name
                message = str(exc).replace(
                    " (to send a name this client does not know, pass unchecked=True)", ""
                )
                raise UsageError(f"--fields/--expand: {message}") from None
        return cls(
            out=Path(args.out), projects=_names(args.project) or None, include=include,
            query=query, per_page=args.per_page, restart=args.restart, plan_only=args.plan,
            progress=args.progress, checkpoint_every=every,
        )  # fmt: skip

    @property
    def files(self) -> tuple[str, ...]:
        return FILES + tuple(f"{name}.jsonl" for name in self.include)

    def job(self, server: str, workspace: str) -> dict[str, Any]:
        """What identifies the export in its checkpoint (a resume must match it)."""
        q = self.query
        return {
            "server": server,
            "workspace": workspace,
            "projects": list(self.projects) if self.projects else None,
            "include": list(self.include),
            "fields": list(q.field_names) if q else None,
            "expand": list(q.expand_names) if q else None,
            "per_page": self.per_page,
        }
