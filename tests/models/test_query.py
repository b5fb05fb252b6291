"""Query: the fields/expand builder catches what the server would silently ignore."""

from __future__ import annotations

import contextlib
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plane_async._errors import PlaneValueError, UnknownFieldError
from plane_async._models import Issue, Module, Project, State
from plane_async._models.query import Query, build_query

ISSUE_FIELDS = sorted(Issue.__plane_keys__)
ISSUE_EXPANDABLE = sorted(Issue.__plane_expandable__)
ISSUE_PLAIN = sorted(Issue.__plane_keys__ - Issue.__plane_expandable__)


def test_fields_and_expand_become_query_parameters() -> None:
    q = Query().fields("id", "name", "state").expand("state")
    assert q.to_params(Issue) == {"fields": "id,name,state", "expand": "state"}


def test_an_empty_query_sends_nothing() -> None:
    assert Query().to_params(Issue) == {}
    assert not Query()


def test_expand_alone_does_not_restrict_fields() -> None:
    assert Query().expand("state", "assignees").to_params(Issue) == {"expand": "state,assignees"}


def test_an_expand_is_added_to_restricted_fields() -> None:
    # the server ignores expand=state unless state is also in fields
    assert Query().fields("id", "name").expand("state").to_params(Issue) == {
        "fields": "id,name,state",
        "expand": "state",
    }


def test_id_is_always_requested_with_fields() -> None:
    assert Query().fields("name").to_params(Issue) == {"fields": "id,name"}


def test_whitespace_is_stripped_and_commas_split() -> None:
    q = Query().fields(" name ", "state,  labels").expand(" state")
    assert q.field_names == ("name", "state", "labels")
    assert q.to_params(Issue)["fields"] == "id,name,state,labels"


def test_an_unknown_field_names_the_closest_valid_ones() -> None:
    with pytest.raises(UnknownFieldError) as info:
        Query().fields("id", "nmae").to_params(Issue)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.name == "nmae"
    assert "name" in err.suggestions
    assert "'nmae'" in str(err) and "'name'" in str(err)


def test_an_unknown_expand_is_refused() -> None:
    with pytest.raises(UnknownFieldError, match="stat"):
        Query().expand("stat").to_params(Issue)


def test_a_field_that_is_not_a_relation_cannot_be_expanded() -> None:
    with pytest.raises(PlaneValueError, match="cannot be expanded") as info:
        Query().expand("name").to_params(Issue)
    assert "state" in str(info.value)
    # modules always render members as ids: not expandable
    with pytest.raises(PlaneValueError):
        Query().expand("members").to_params(Module)


def test_checking_depends_on_the_model() -> None:
    q = Query().fields("identifier")
    assert q.to_params(Project) == {"fields": "id,identifier"}
    with pytest.raises(UnknownFieldError):
        q.to_params(State)


def test_unchecked_names_pass_through_for_a_newer_server() -> None:
    q = Query().fields("name").fields("brand_new", unchecked=True).expand("new_rel", unchecked=True)
    assert q.to_params(Issue) == {
        "fields": "id,name,brand_new,new_rel",
        "expand": "new_rel",
    }
    assert q.unchecked_names == {"brand_new", "new_rel"}
    with pytest.raises(PlaneValueError):
        Query().fields("bad name", unchecked=True)
    with pytest.raises(PlaneValueError):
        Query().fields("a&b=c", unchecked=True)


def test_queries_are_immutable_reusable_and_composable() -> None:
    base = Query().fields("id", "name")
    with_state = base.expand("state")
    assert base.to_params(Issue) == {"fields": "id,name"}
    assert with_state.to_params(Issue) == {"fields": "id,name,state", "expand": "state"}
    combined = base | Query().fields("labels").expand("labels")
    assert combined.to_params(Issue) == {"fields": "id,name,labels", "expand": "labels"}
    assert base.fields("name") == base  # duplicates are dropped
    assert {base, Query().fields("id", "name")} == {base}
    with pytest.raises(AttributeError):
        base._fields = ()  # type: ignore[misc]
    params = base.to_params(Issue)
    params["fields"] = "x"
    assert base.to_params(Issue) == {"fields": "id,name"}


def test_repr_shows_how_to_build_it_again() -> None:
    q = Query().fields("name").expand("state").fields("zzz", unchecked=True)
    assert repr(q) == "Query().fields('name').fields('zzz', unchecked=True).expand('state')"


@pytest.mark.parametrize("bad", ["", "  ", "id,,name", ","])
def test_empty_names_are_refused(bad: str) -> None:
    with pytest.raises(PlaneValueError):
        Query().fields(bad)


def test_non_string_names_are_refused() -> None:
    with pytest.raises(PlaneValueError):
        Query().fields(3)  # type: ignore[arg-type]


def test_build_query_merges_the_shorthand_with_a_query() -> None:
    q = build_query(Query().fields("name"), fields=["state"], expand=["state"])
    assert q.to_params(Issue) == {"fields": "id,name,state", "expand": "state"}
    assert build_query(None, fields="id,name", expand=None).field_names == ("id", "name")
    assert build_query() == Query()
    with pytest.raises(PlaneValueError):
        build_query("fields=id")  # type: ignore[arg-type]
    with pytest.raises(PlaneValueError):
        build_query(fields=5)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------

names = st.lists(st.sampled_from(ISSUE_FIELDS), max_size=8)
expands = st.lists(st.sampled_from(ISSUE_EXPANDABLE), max_size=4)
padding = st.text(alphabet=" \t", max_size=2)


@given(names, expands, padding)
def test_valid_names_always_produce_consistent_params(
    fields: list[str], expand: list[str], pad: str
) -> None:
    q = Query().fields(*(pad + f + pad for f in fields)).expand(*expand)
    params = q.to_params(Issue)
    sent_fields = params.get("fields", "").split(",") if "fields" in params else []
    sent_expand = params.get("expand", "").split(",") if "expand" in params else []
    assert sent_expand == list(dict.fromkeys(expand))
    if fields:
        assert sent_fields[0] == "id" or "id" in fields
        assert set(sent_fields) == {"id", *fields, *expand}
        assert len(sent_fields) == len(set(sent_fields))
    else:
        assert "fields" not in params
    for value in params.values():
        assert value == value.strip() and " " not in value and ",," not in value


@given(st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=20))
def test_any_name_is_either_known_or_refused_with_suggestions(name: str) -> None:
    q = Query().fields(name)
    if name in Issue.__plane_keys__:
        assert name in q.to_params(Issue)["fields"].split(",")
    else:
        with pytest.raises(UnknownFieldError) as info:
            q.to_params(Issue)
        assert info.value.name == name
        assert set(info.value.suggestions) <= Issue.__plane_keys__


@given(st.sampled_from(ISSUE_PLAIN))
def test_plain_fields_are_never_expandable(name: str) -> None:
    with pytest.raises(PlaneValueError, match="cannot be expanded"):
        Query().expand(name).to_params(Issue)


@given(names, expands, names, expands)
def test_union_is_the_same_as_chaining(
    f1: list[str], e1: list[str], f2: list[str], e2: list[str]
) -> None:
    a = Query().fields(*f1).expand(*e1)
    b = Query().fields(*f2).expand(*e2)
    chained = a.fields(*f2).expand(*e2)
    assert (a | b) == chained
    assert (a | b).to_params(Issue) == chained.to_params(Issue)
    assert hash(a | b) == hash(chained)


@given(st.text(max_size=12))
def test_arbitrary_text_never_crashes_the_builder(text: str) -> None:
    try:
        q = Query().fields(text)
    except PlaneValueError:
        return
    with contextlib.suppress(PlaneValueError):
        q.to_params(Issue)
