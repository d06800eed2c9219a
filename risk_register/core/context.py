"""Per-request facts every service needs: the organisation, the configured rules and today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar.datastructures import State

from risk_register.alignment.settings import AlignmentSettings
from risk_register.core.clock import today
from risk_register.estates.rules import EstatesRules
from risk_register.hazards.config import HazardRules
from risk_register.organisation.reference import Organisation
from risk_register.registers.rules import RegisterRules
from risk_register.settings import Settings


@dataclass(frozen=True)
class Context:
    organisation: Organisation
    estates_rules: EstatesRules
    hazard_rules: HazardRules
    settings: Settings
    today: date
    register_rules: RegisterRules
    alignment: AlignmentSettings


def provide_context(state: State) -> Context:
    settings: Settings = state.settings
    return Context(
        organisation=state.organisation,
        estates_rules=state.estates_rules,
        hazard_rules=state.hazard_rules,
        settings=settings,
        today=today(settings),
        register_rules=state.register_rules,
        alignment=state.alignment_settings,
    )


def provide_organisation(state: State) -> Organisation:
    organisation: Organisation = state.organisation
    return organisation
