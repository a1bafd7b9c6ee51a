"""Who is acting, from where: carried in a context variable so services, jobs and commands can audit."""

import contextlib
import contextvars
from dataclasses import dataclass, replace

from portal.models.audit import AuditSource


@dataclass(frozen=True)
class ActionContext:
    source: str = AuditSource.SYSTEM
    request_id: str = ""
    ip_address: str | None = None


_DEFAULT = ActionContext()  # frozen, so sharing it as the default is safe
_current: contextvars.ContextVar[ActionContext] = contextvars.ContextVar("sentinella_action_context")


def _get() -> ActionContext:
    return _current.get(_DEFAULT)


def current_context() -> ActionContext:
    return _get()


def push_context(**changes) -> contextvars.Token:
    return _current.set(replace(_get(), **changes))


def pop_context(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def action_context(**changes):
    """Run a block with a different source/request id, e.g. `with action_context(source="command"):`."""
    token = push_context(**changes)
    try:
        yield _get()
    finally:
        pop_context(token)
