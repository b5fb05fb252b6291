"""Counts in words: "1 project", "2 projects"."""

from __future__ import annotations

__all__ = ["count"]


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun that agrees with it, thousands separated: ``1,200 work items``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
