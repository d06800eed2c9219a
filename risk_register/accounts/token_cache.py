"""Recently verified bearer tokens, so that a client's run of requests costs one token lookup, not one each.

Why: every request looked its token up with a query of its own, a database round trip that the question it asked
did not need; on the overdue list at 100x that was about 0.5 ms of the 4-5 ms the API spent beyond the query
itself (benchmarks/README.md).

What it guarantees:

* An entry never outlives its token's expiry (checked on every hit), nor ``token_cache_seconds`` (setting;
  0 turns the cache off).
* Exact within this process: an ORM change to a token or a user (revocation, sign-out, deactivation, a new role,
  Area or password), or an ORM bulk UPDATE/DELETE of either table, drops the affected entries when it is flushed
  and again when it commits. A lookup that was in flight across such a commit does not store what it read.
* Across processes (``serve --workers N``, or SQL run outside the service) a revocation or role change takes
  effect within ``token_cache_seconds``.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from risk_register.accounts.models import AccessToken, User
from risk_register.accounts.roles import Principal

MAX_ENTRIES = 10_000
_CHANGED_USERS = "risk_register.changed_principals"
_EVERY_USER = "*"


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    token_expires_at: datetime
    fresh_until: float


class VerifiedTokens:
    """Principals of recently verified tokens, keyed by the token's digest (the token itself is never held)."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._generation = 0
        _CACHES.add(self)

    @property
    def generation(self) -> int:
        """Read before a lookup and hand to ``remember``: a change committed in between voids what was read."""
        return self._generation

    def get(self, digest: str, now: datetime) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry.fresh_until <= self._clock() or entry.token_expires_at <= now:
            self._entries.pop(digest, None)
            return None
        return entry.principal

    def remember(self, digest: str, principal: Principal, token_expires_at: datetime, generation: int) -> None:
        if self.seconds <= 0 or generation != self._generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            # A burst of distinct tokens: start again rather than track recency; each costs one lookup again.
            self._entries.clear()
        self._entries[digest] = _Entry(principal, token_expires_at, self._clock() + self.seconds)

    def forget(self, user_ids: Iterable[UUID | str]) -> None:
        ids = set(user_ids)
        self._generation += 1
        if _EVERY_USER in ids:
            self._entries.clear()
            return
        for digest in [d for d, e in self._entries.items() if e.principal.user_id in ids]:
            del self._entries[digest]

    def __len__(self) -> int:
        return len(self._entries)


_CACHES: weakref.WeakSet[VerifiedTokens] = weakref.WeakSet()


def _forget_everywhere(user_ids: set[UUID | str]) -> None:
    for cache in list(_CACHES):
        cache.forget(user_ids)


def _note(session: Session, user_ids: set[UUID | str]) -> None:
    if user_ids:
        session.info.setdefault(_CHANGED_USERS, set()).update(user_ids)
        _forget_everywhere(user_ids)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: Any) -> None:
    # Still the pre-flush state here: dirty and deleted list what this flush wrote.
    changed: set[UUID | str] = set()
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AccessToken):
            changed.add(obj.user_id)
        elif isinstance(obj, User):
            changed.add(obj.id)
    _note(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _after_bulk_change(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in (AccessToken, User):
        _note(state.session, {_EVERY_USER})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(_CHANGED_USERS, None)
    if changed:
        _forget_everywhere(changed)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back change was forgotten at flush already; nothing more to do for it after the outer transaction.
    if transaction.parent is None:
        session.info.pop(_CHANGED_USERS, None)
