"""Deterministic seed data: projects, states, labels, members, modules, cycles, work items."""

from __future__ import annotations

import datetime as dt
import random
import time

import attrs

from ._store import Cycle, Label, Module, Project, State, Store, User

__all__ = ["DEFAULT_STATES", "Seed", "add_default_states", "seed_store"]

#: (name, color, group); the first is the project's default state (Plane's defaults).
DEFAULT_STATES = (
    ("Backlog", "#60646C", "backlog"),
    ("Todo", "#60646C", "unstarted"),
    ("In Progress", "#F59E0B", "started"),
    ("Done", "#46A758", "completed"),
    ("Cancelled", "#9AA4BC", "cancelled"),
)
_PROJECTS = (("Website", "WEB"), ("Mobile", "MOB"), ("Backend", "API"), ("Design", "DES"))
_LABELS = (
    ("bug", "#e5484d"),
    ("feature", "#30a46c"),
    ("docs", "#0090ff"),
    ("chore", "#ffb224"),
    ("security", "#8e4ec6"),
    ("performance", "#12a594"),
)
_MODULES = ("Auth revamp", "Billing", "Search", "Onboarding", "Reporting", "Notifications")
_PEOPLE = (("Alice", "Admin"), ("Bob", "Member"), ("Carol", "Member"), ("Dave", "Member"))
_PRIORITIES = ("urgent", "high", "medium", "low", "none")
_DAY = 86400.0


@attrs.frozen
class Seed:
    """How much data a new :class:`FakePlane` starts with.

    The same ``random_seed`` gives the same ids and attributes. ``start`` is the epoch
    second of the first seeded object (default: midnight UTC 30 days ago); each seeded work
    item is one second newer than the previous one, so "newest first" is sequence order
    reversed. Cycle dates follow today's date, so "Sprint 1" is always the current cycle
    and later sprints are upcoming.
    """

    projects: int = 1
    issues_per_project: int = 250
    modules: int = 3
    cycles: int = 2
    labels: int = 4
    members: int = 2
    random_seed: int = 0
    #: fraction of work items put in one module, and in one cycle
    module_fraction: float = 0.4
    cycle_fraction: float = 0.3
    start: float | None = None


def add_default_states(store: Store, project: Project, actor: str | None, at: float) -> None:
    """Create Plane's five default states for a new project."""
    for n, (name, color, group) in enumerate(DEFAULT_STATES):
        state = State(
            id=store.new_id(),
            project_id=project.id,
            name=name,
            color=color,
            group=group,
            sequence=15000.0 + 10000.0 * n,
            default=n == 0,
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
        store.states[state.id] = state


def _users(store: Store, count: int) -> list[User]:
    users = []
    for n in range(max(1, count)):
        if n < len(_PEOPLE):
            first, last = _PEOPLE[n]
        else:
            first, last = f"User{n + 1}", "Member"
        handle = first.lower()
        user = User(
            id=store.new_id(),
            first_name=first,
            last_name=last,
            email=f"{handle}@example.com",
            display_name=handle,
            role=20 if n == 0 else 15,
        )
        store.users[user.id] = user
        users.append(user)
    store.me = users[0]
    return users


def seed_store(store: Store, seed: Seed) -> None:
    """Fill ``store`` with ``seed``'s data; about 2 s per 100,000 work items."""
    rng = random.Random(seed.random_seed ^ 0x5EED)
    users = _users(store, seed.members)
    me = users[0].id
    today = time.time() // _DAY * _DAY
    at = today - 30 * _DAY if seed.start is None else seed.start
    for p in range(seed.projects):
        name, ident = _PROJECTS[p] if p < len(_PROJECTS) else (f"Project {p + 1}", f"P{p + 1}")
        project = Project(
            id=store.new_id(),
            name=name,
            identifier=ident,
            module_view=True,
            cycle_view=True,
            project_lead=me,
            created_at=at,
            updated_at=at,
            sort_order=65535.0 - 10000.0 * p,
        )
        for user in users:
            project.members[user.id] = (store.new_id(), 20 if user.id == me else 15)
        store.projects[project.id] = project
        add_default_states(store, project, me, at)
        states = [s for s in store.states.values() if s.project_id == project.id]
        labels = []
        for n in range(seed.labels):
            lname, color = _LABELS[n] if n < len(_LABELS) else (f"label-{n + 1}", "#888888")
            label = Label(
                id=store.new_id(),
                project_id=project.id,
                name=lname,
                color=color,
                sort_order=65535.0 + 10000.0 * n,
                created_by=me,
                created_at=at + n,
                updated_at=at + n,
            )
            store.labels[label.id] = label
            labels.append(label.id)
        modules = []
        for n in range(seed.modules):
            mname = _MODULES[n] if n < len(_MODULES) else f"Module {n + 1}"
            module = Module(
                id=store.new_id(),
                project_id=project.id,
                name=mname,
                description=f"{mname} module",
                status=("planned", "in-progress", "backlog")[n % 3],
                start_date=_date(today - 14 * _DAY),
                target_date=_date(today + 30 * _DAY),
                lead=me,
                sort_order=65535.0 - 10000.0 * n,
                created_by=me,
                created_at=at + n,
                updated_at=at + n,
            )
            store.modules[module.id] = module
            modules.append(module)
        cycles = []
        for n in range(seed.cycles):
            start = today + (14 * n - 7) * _DAY
            cycle = Cycle(
                id=store.new_id(),
                project_id=project.id,
                name=f"Sprint {n + 1}",
                description=f"Sprint {n + 1} cycle",
                start_date=start,
                end_date=start + 14 * _DAY,
                owned_by=me,
                sort_order=65535.0 - 10000.0 * n,
                created_by=me,
                created_at=at + n,
                updated_at=at + n,
            )
            store.cycles[cycle.id] = cycle
            cycles.append(cycle)
        _seed_issues(store, rng, seed, project, states, labels, users, modules, cycles)


def _seed_issues(
    store: Store,
    rng: random.Random,
    seed: Seed,
    project: Project,
    states: list[State],
    labels: list[str],
    users: list[User],
    modules: list[Module],
    cycles: list[Cycle],
) -> None:
    me = users[0].id
    user_ids = [u.id for u in users]
    # Interned tuples: most items share one of a few assignee/label tuples, which keeps
    # 100k items small in memory.
    assignee_sets = [(), *((u,) for u in user_ids), tuple(user_ids[:2])]
    label_sets = [(), *((label,) for label in labels)]
    base = (project.created_at or 0.0) + 3600.0
    random_ = rng.random
    for n in range(1, seed.issues_per_project + 1):
        state = states[int(random_() * len(states))]
        created = base + n
        issue = store.add_issue(
            project,
            name=f"Seed issue #{n}",
            description_html=f"<p>Seeded issue number {n}</p>",
            state=state.id,
            priority=_PRIORITIES[int(random_() * 5)],
            assignees=assignee_sets[int(random_() * len(assignee_sets))],
            labels=label_sets[int(random_() * len(label_sets))],
            sort_order=65535.0 + 10000.0 * (n // 10),
            completed_at=created if state.group == "completed" else None,
            created_by=me,
            created_at=created,
            updated_at=created,
        )
        if modules and random_() < seed.module_fraction:
            modules[int(random_() * len(modules))].issue_ids[issue.id] = store.new_id()
        if cycles and random_() < seed.cycle_fraction:
            cycles[int(random_() * len(cycles))].issue_ids[issue.id] = store.new_id()


def _date(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()
