"""The one source of "today" for every date rule, so demos and tests can pin it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from risk_register.settings import Settings

LONDON = ZoneInfo("Europe/London")


def today(settings: Settings) -> date:
    """Today's date in England and Wales, or the pinned date from settings."""
    if settings.today_override:
        return date.fromisoformat(settings.today_override)
    return datetime.now(LONDON).date()
