"""Per-request facts every service needs: the organisation, the configured rules and today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar.datastructures import State

from risk_register.core.clock import today
from risk_register.estates.rules import EstatesRules
from risk_register.organisation.reference import Organisation
from risk_register.settings import Settings


@dataclass(frozen=True)
class Context:
    organisation: Organisation
    estates_rules: EstatesRules
    settings: Settings
    today: date


def provide_context(state: State) -> Context:
    settings: Settings = state.settings
    return Context(
        organisation=state.organisation,
        estates_rules=state.estates_rules,
        settings=settings,
        today=today(settings),
    )


def provide_organisation(state: State) -> Organisation:
    organisation: Organisation = state.organisation
    return organisation
