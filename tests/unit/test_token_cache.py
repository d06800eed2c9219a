"""The verified-token cache's rules, with a clock the test moves (accounts/token_cache.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from risk_register.accounts import token_cache
from risk_register.accounts.roles import Principal, Role
from risk_register.accounts.token_cache import VerifiedTokens

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def principal(user_id=None) -> Principal:
    return Principal(user_id=user_id or uuid4(), username="u", role=Role.VIEWER, area_code=None, token_id=uuid4())


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_verified_token_is_answered_until_its_time_is_up(clock: Clock) -> None:
    cache = VerifiedTokens(2.0, clock=clock)
    who = principal()
    cache.remember("d", who, LATER, cache.generation)
    assert cache.get("d", NOW) == who
    clock.now += 1.999
    assert cache.get("d", NOW) == who
    clock.now += 0.001
    assert cache.get("d", NOW) is None
    assert len(cache) == 0


def test_an_entry_never_outlives_its_token(clock: Clock) -> None:
    cache = VerifiedTokens(60.0, clock=clock)
    expires = NOW + timedelta(seconds=1)
    cache.remember("d", principal(), expires, cache.generation)
    assert cache.get("d", expires - timedelta(microseconds=1)) is not None
    assert cache.get("d", expires) is None


def test_zero_seconds_keeps_nothing(clock: Clock) -> None:
    cache = VerifiedTokens(0, clock=clock)
    cache.remember("d", principal(), LATER, cache.generation)
    assert cache.get("d", NOW) is None


def test_forgetting_a_user_drops_only_their_tokens(clock: Clock) -> None:
    cache = VerifiedTokens(2.0, clock=clock)
    alice, bob = principal(), principal()
    cache.remember("a1", alice, LATER, cache.generation)
    cache.remember("a2", alice, LATER, cache.generation)
    cache.remember("b1", bob, LATER, cache.generation)
    cache.forget([alice.user_id])
    assert cache.get("a1", NOW) is None
    assert cache.get("a2", NOW) is None
    assert cache.get("b1", NOW) == bob


def test_a_lookup_in_flight_across_a_change_is_not_kept(clock: Clock) -> None:
    cache = VerifiedTokens(2.0, clock=clock)
    who = principal()
    seen = cache.generation  # the lookup starts
    cache.forget([uuid4()])  # someone's change commits meanwhile
    cache.remember("d", who, LATER, seen)
    assert cache.get("d", NOW) is None


def test_every_cache_in_the_process_hears_of_a_change(clock: Clock) -> None:
    first, second = VerifiedTokens(2.0, clock=clock), VerifiedTokens(2.0, clock=clock)
    who = principal()
    for cache in (first, second):
        cache.remember("d", who, LATER, cache.generation)
    token_cache._forget_everywhere({who.user_id})
    assert first.get("d", NOW) is None
    assert second.get("d", NOW) is None


def test_the_cache_is_bounded(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_cache, "MAX_ENTRIES", 3)
    cache = VerifiedTokens(2.0, clock=clock)
    for n in range(7):
        cache.remember(f"d{n}", principal(), LATER, cache.generation)
        assert len(cache) <= 3
    assert cache.get("d6", NOW) is not None
