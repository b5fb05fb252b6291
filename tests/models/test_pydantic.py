"""Models and pages in pydantic v2 and FastAPI: response models that return ``to_dict()``."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import httpx
import pydantic
import pytest
from fastapi import Body, FastAPI

from plane_async import AsyncPlane, Cursor, Page
from plane_async._models import structure
from plane_async.models import Issue, StateLite, User, to_dict

FIXTURES = Path(__file__).parents[1] / "fixtures"


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())["body"]


EXPANDED = body("work-items-list-expand-state_assignees_labels.json")


def test_a_list_of_models_dumps_as_to_dict_gives() -> None:
    issues = [structure(Issue, r) for r in EXPANDED["results"]]
    adapter = pydantic.TypeAdapter(list[Issue])
    assert json.loads(adapter.dump_json(issues)) == [to_dict(i) for i in issues]
    dumped = adapter.dump_python(issues)
    assert dumped == EXPANDED["results"]
    dumped[0]["name"] = "changed"  # python mode hands out a copy
    assert issues[0].name != "changed"


def test_built_models_and_odd_values_dump_without_warnings() -> None:
    built = Issue(name="x", state=StateLite(id=uuid.uuid4(), name="Todo"))
    assert json.loads(pydantic.TypeAdapter(Issue).dump_json(built)) == json.loads(
        json.dumps(to_dict(built))
    )
    odd = structure(Issue, {"id": str(uuid.uuid4()), "sequence_id": "not a number"})
    # sent as the server sent it (to_dict), never a 500 for one odd field
    assert json.loads(pydantic.TypeAdapter(Issue).dump_json(odd)) == to_dict(odd)


def test_validating_a_json_object_checks_every_known_field() -> None:
    adapter = pydantic.TypeAdapter(Issue)
    good = adapter.validate_python(EXPANDED["results"][0])
    assert isinstance(good, Issue) and good.state_detail is not None
    assert adapter.validate_python(good) is good
    with pytest.raises(pydantic.ValidationError, match=r"Issue\.priority.*unexpected value"):
        adapter.validate_json(json.dumps({"id": str(uuid.uuid4()), "priority": 5}))
    nested = {"id": str(uuid.uuid4()), "state": {"id": str(uuid.uuid4()), "name": 7}}
    with pytest.raises(pydantic.ValidationError, match=r"StateLite\.name.*unexpected value"):
        adapter.validate_python(nested)  # objects inside are checked too
    with pytest.raises(pydantic.ValidationError, match="expected a Issue or a JSON object"):
        adapter.validate_python(["not", "an", "object"])


def test_a_page_dumps_as_its_envelope_with_string_cursors() -> None:
    issues = tuple(structure(Issue, r) for r in EXPANDED["results"])
    page = Page(issues, 3, 250, 84, Cursor(3, 1), None, True, False, None, Cursor(3, 0))
    got = json.loads(pydantic.TypeAdapter(Page[Issue]).dump_json(page))
    assert got["results"] == [to_dict(i) for i in issues]
    assert got["next_cursor"] == "3:1:0" and got["prev_cursor"] is None
    assert got["cursor"] == "3:0:0" and got["resume_cursor"] == str(page.resume_cursor)
    assert got["total_results"] == 250 and got["next_page_results"] is True
    whole = Page((), 0, 0, 0, None, None, False, False, None, None)
    assert json.loads(pydantic.TypeAdapter(Page[Issue]).dump_json(whole))["resume_cursor"] is None


def test_dict_of_a_model_is_to_dict() -> None:
    issue = structure(Issue, EXPANDED["results"][0])
    issue.name  # noqa: B018  (reading a field does not change what dict() gives)
    assert dict(issue) == to_dict(issue) == EXPANDED["results"][0]
    built = Issue(name="x", priority="high")  # type: ignore[arg-type]
    assert dict(built) == to_dict(built)


def test_models_nest_inside_pydantic_models() -> None:
    class Report(pydantic.BaseModel):
        owner: User
        issues: list[Issue]

    user = structure(User, {"id": str(uuid.uuid4()), "display_name": "alice"})
    issue = structure(Issue, EXPANDED["results"][0])
    report = Report(owner=user, issues=[issue])
    assert report.model_dump(mode="json") == {"owner": to_dict(user), "issues": [to_dict(issue)]}
    schema = Report.model_json_schema(mode="serialization")
    assert "display_name" in json.dumps(schema)


def _app(plane: AsyncPlane) -> FastAPI:
    app = FastAPI()

    @app.get("/projects/{project_id}/issues")
    async def list_issues(project_id: uuid.UUID) -> list[Issue]:
        return [i async for i in plane.issues.list(project_id, expand=["state"])]

    @app.get("/projects/{project_id}/page")
    async def first_page(project_id: uuid.UUID) -> Page[Issue]:
        async for page in plane.issues.pages(project_id, per_page=10):
            return page
        raise AssertionError("no page")

    @app.get("/projects/{project_id}/issues/{issue_id}", response_model=Issue)
    async def get_issue(project_id: uuid.UUID, issue_id: uuid.UUID) -> Any:
        return await plane.issues.get(project_id, issue_id)

    @app.get("/projects/{project_id}/any")
    async def as_any(project_id: uuid.UUID) -> Any:  # no response model: pydantic infers
        page = await anext(aiter(plane.issues.pages(project_id, per_page=2, max_pages=1)))
        return {"first": page.results[0], "page": page, "all": list(page.results)}

    @app.get("/projects/{project_id}/bare")
    async def bare(project_id: uuid.UUID):  # type: ignore[no-untyped-def]  # no annotation
        issue = await anext(aiter(plane.issues.list(project_id, max_items=1)))
        issue.name  # noqa: B018  (a read field must not be all the JSON has)
        return issue

    @app.post("/echo")
    async def echo(issue: Annotated[Issue, Body()]) -> Issue:
        return issue  # a model as a request body: FastAPI needs Body() for a non-pydantic type

    return app


async def test_fastapi_routes_return_models_pages_and_their_openapi(plane: AsyncPlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    expected = [to_dict(i) async for i in plane.issues.list(project.id, expand=["state"])]
    transport = httpx.ASGITransport(app=_app(plane))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        listed = await http.get(f"/projects/{project.id}/issues")
        assert listed.status_code == 200 and listed.json() == expected
        assert listed.json()[0]["state"]["name"]  # the expanded object, as Plane sent it

        page = (await http.get(f"/projects/{project.id}/page")).json()
        assert len(page["results"]) == 10 and page["resume_cursor"].startswith("10:1:0~")

        one = await http.get(f"/projects/{project.id}/issues/{expected[0]['id']}")
        assert one.status_code == 200 and one.json()["id"] == expected[0]["id"]

        anything = (await http.get(f"/projects/{project.id}/any")).json()
        assert anything["first"]["id"] in {e["id"] for e in expected}
        assert anything["first"] == to_dict(structure(Issue, anything["first"]))
        assert anything["page"]["resume_cursor"].startswith("2:1:0~")
        assert anything["all"] == anything["page"]["results"]
        bare = (await http.get(f"/projects/{project.id}/bare")).json()
        assert set(bare) > {"id", "name", "state", "created_at"}  # every key, not just "name"

        echoed = await http.post("/echo", json=expected[0])
        assert echoed.status_code == 200 and echoed.json() == expected[0]
        refused = await http.post("/echo", json={"id": "nope"})
        assert refused.status_code == 422 and "Issue.id" in refused.text

        openapi = (await http.get("/openapi.json")).json()
    text = json.dumps(openapi)
    assert "sequence_id" in text and "resume_cursor" in text and "uuid" in text


@pytest.mark.slow
def test_importing_and_using_the_client_does_not_import_pydantic() -> None:
    code = (
        "import sys, uuid, plane_async\n"
        "from plane_async._models import structure\n"
        "from plane_async.models import Issue, to_dict\n"
        "i = structure(Issue, {'id': str(uuid.uuid4()), 'name': 'x'})\n"
        "assert i.name == 'x' and to_dict(i)\n"
        "assert 'pydantic' not in sys.modules and 'pydantic_core' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
