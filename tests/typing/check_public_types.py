"""Types a user's code relies on, checked by mypy --strict (``make typecheck``), not run.

Each ``assert_type`` fails the type check if the public surface loses the precise type.
"""

from __future__ import annotations

import uuid
from typing import assert_type

from plane_async import APIError, Cursor, Page, PlaneError
from plane_async.models import Comment, Issue, Label, Project, ProjectLite, StateLite, User
from plane_async.types import IssueCreateFields


def relations(issue: Issue, comment: Comment, project: Project) -> None:
    assert_type(issue.state_detail, StateLite | None)
    assert_type(issue.state_id, uuid.UUID | None)
    assert_type(issue.assignee_details, tuple[User, ...])
    assert_type(issue.assignee_ids, tuple[uuid.UUID, ...])
    assert_type(issue.label_details, tuple[Label, ...])
    assert_type(issue.project_detail, ProjectLite)
    assert_type(issue.project_id, uuid.UUID)
    assert_type(comment.issue_detail, Issue)
    assert_type(project.project_lead_detail, User | None)
    # strict mypy warns about an unused ignore: this line proves None must be handled
    issue.state_detail.name  # type: ignore[union-attr]  # noqa: B018


def pages_and_errors(page: Page[Issue], exc: PlaneError, api: APIError) -> None:
    assert_type(page.resume_cursor, Cursor)
    assert_type(page.results, tuple[Issue, ...])
    assert_type(exc.cursor, Cursor | None)
    assert_type(api.status_code, int)
    assert_type(api.response.status_code, int)


def write_fields(priority: str | None) -> IssueCreateFields:
    fields: IssueCreateFields = {}
    if priority is not None:
        fields["priority"] = priority
    return fields
