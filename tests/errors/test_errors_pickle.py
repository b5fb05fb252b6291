"""Every public error survives pickling (process pools send errors between processes)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle
import uuid

import pytest

import plane_async
from plane_async import (
    APIError,
    ConflictError,
    FieldValueError,
    NotFoundError,
    PlaneError,
    RateLimitError,
    TransportError,
    UnknownFieldError,
)

KEY = "plane_api_" + "5" * 32


def _public_errors() -> list[type[PlaneError]]:
    found = [getattr(plane_async, name) for name in plane_async.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, PlaneError)]


def _instance(cls: type[PlaneError]) -> PlaneError:
    """One instance of ``cls`` with every attribute its constructor takes set."""
    if issubclass(cls, APIError):
        return cls(
            "nope",
            status=404,
            method="GET",
            url="https://api.plane.so/api/v1/x/",
            body={"error": "nope", "id": str(uuid.UUID(int=7))},
            headers={"Retry-After": "5"},
            attempts=2,
            cursor="100:3:0",
        )
    if issubclass(cls, UnknownFieldError):
        return cls("no field 'nmae'", name="nmae", suggestions=("name",))
    if issubclass(cls, plane_async.FieldError):
        return cls("bad value", model="Issue", field="state", item_id="i-1")
    if issubclass(cls, plane_async.PaginationError):
        return cls("stalled", cursor="100:2:0", page=2)
    if issubclass(cls, TransportError):
        return cls("reset", method="GET", url="https://x/api/v1/", attempts=4, cursor="1:1:0")
    if issubclass(cls, plane_async.DownloadTooLargeError):
        return cls("too large", limit=1 << 30, size=2 << 30, status=200, url="https://s3.test/k")
    if issubclass(cls, plane_async.UploadTooLargeError):
        return cls("too large", size=6_000_000, limit=5_242_880, status=400, code="EntityTooLarge")
    if issubclass(cls, plane_async.StorageError):
        return cls(
            "denied", status=403, url="https://s3.test/b/k", code="AccessDenied", body="<x/>"
        )
    if issubclass(cls, plane_async.WaitBudgetExceededError):
        return cls("ran out", retry_after=12.5, budget=5.0, sent=True)
    return cls("plain message")


def test_every_public_error_is_covered() -> None:
    names = {c.__name__ for c in _public_errors()}
    assert {"NotFoundError", "FieldValueError", "UnknownFieldError", "RateLimitError"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("cls", _public_errors(), ids=lambda c: c.__name__)
def test_every_public_error_round_trips_through_pickle_with_its_attributes(
    cls: type[PlaneError],
) -> None:
    err = _instance(cls)
    err.add_note("while reading page 3")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert str(copy) == str(err)
    assert repr(copy) == repr(err)
    assert copy.args == err.args
    assert vars(copy) == vars(err)  # every attribute, the notes included
    assert KEY not in pickle.dumps(err).decode("latin-1")


def test_derived_attributes_survive_pickling() -> None:
    conflict = pickle.loads(pickle.dumps(_instance(ConflictError)))
    assert isinstance(conflict, ConflictError)
    assert conflict.existing_id == uuid.UUID(int=7)
    limited = pickle.loads(pickle.dumps(_instance(RateLimitError)))
    assert isinstance(limited, RateLimitError)
    assert limited.retry_after == 5.0
    field = pickle.loads(pickle.dumps(_instance(FieldValueError)))
    assert isinstance(field, AttributeError)
    assert (field.model, field.field, field.item_id) == ("Issue", "state", "i-1")


def test_an_attribute_added_later_round_trips_too() -> None:
    err = _instance(NotFoundError)
    err.extra = {"resume": "here"}  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(err)).extra == {"resume": "here"}


def _raise_not_found() -> None:
    raise _instance(NotFoundError)


@pytest.mark.slow
def test_a_process_pool_worker_raising_not_found_gives_the_error_not_a_broken_pool() -> None:
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        future = pool.submit(_raise_not_found)
        with pytest.raises(NotFoundError) as info:
            future.result(timeout=60)
    assert info.value.status == 404
    assert info.value.url == "https://api.plane.so/api/v1/x/"


def test_a_reworded_error_keeps_its_class_and_every_attribute() -> None:
    from plane_async._errors import reworded

    err = _instance(NotFoundError)
    err.extra = "kept"  # type: ignore[attr-defined]
    new = reworded(err, "say what to do")
    assert type(new) is NotFoundError and new is not err
    assert new.message == "say what to do" and str(new).endswith(": say what to do")
    assert (new.status, new.url, new.cursor, new.extra) == (404, err.url, err.cursor, "kept")  # type: ignore[attr-defined]
    assert err.message == "nope"  # the original is unchanged
