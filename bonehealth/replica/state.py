"""Per-request routing state: may this request's reads go to the replica right now?

The state lives in a context variable set by `ReplicaPinMiddleware` for the length of one request,
so threads (gunicorn) and async tasks never share it. Outside a request (management commands, the
task worker, tests without the middleware) there is no state and every read goes to the primary.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class RequestReadState:
    # The user wrote recently (or this request is a POST...): read your own writes from the primary.
    pinned: bool
    # This request has written rows the replica-routed pages show: read them back from the primary.
    wrote: bool = False
    # How many `using_replica()` blocks are open: reads go to the replica only inside one.
    replica_blocks: int = 0


_state: ContextVar[RequestReadState | None] = ContextVar("bonehealth_replica_state", default=None)


def current_state() -> RequestReadState | None:
    return _state.get()


def begin_request(*, pinned: bool) -> tuple[RequestReadState, Any]:
    """Start a request's state; pass the token to `end_request`."""
    state = RequestReadState(pinned=pinned)
    return state, _state.set(state)


def end_request(token: Any) -> None:
    _state.reset(token)


def note_write() -> None:
    """Record that this request wrote: its later reads go to the primary."""
    state = _state.get()
    if state is not None:
        state.wrote = True


def replica_reads_allowed() -> bool:
    """True inside `using_replica()` in a request that is neither pinned nor has written."""
    state = _state.get()
    return state is not None and state.replica_blocks > 0 and not state.pinned and not state.wrote


@contextmanager
def using_replica() -> Iterator[None]:
    """Let the reads inside this block go to the replica (when the request allows it)."""
    state = _state.get()
    if state is None:
        yield
        return
    state.replica_blocks += 1
    try:
        yield
    finally:
        state.replica_blocks -= 1


def replica_reads[**P](
    view: Callable[P, HttpResponse],
) -> Callable[P, HttpResponse]:
    """Mark a read-only view: its GET requests may read from the replica (never its POSTs)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        if not isinstance(request, HttpRequest) or request.method not in SAFE_METHODS:
            return view(*args, **kwargs)
        with using_replica():
            return view(*args, **kwargs)

    return wrapped
