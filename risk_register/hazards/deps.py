"""Service providers for the hazards controllers (Litestar DI)."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar.providers import create_service_provider
from litestar.di import NamedDependency, Provide

from risk_register.hazards.services import (
    AbsenceService,
    AssessmentService,
    CheckService,
    ControlService,
    LegionellaService,
    SurveyService,
    TeamService,
)

SERVICES = {
    "teams": Provide(create_service_provider(TeamService)),
    "controls": Provide(create_service_provider(ControlService)),
    "checks": Provide(create_service_provider(CheckService)),
    "assessments": Provide(create_service_provider(AssessmentService)),
    "legionella": Provide(create_service_provider(LegionellaService)),
    "surveys": Provide(create_service_provider(SurveyService)),
    "absence": Provide(create_service_provider(AbsenceService)),
}

Teams = NamedDependency[TeamService]
Controls = NamedDependency[ControlService]
Checks = NamedDependency[CheckService]
Assessments = NamedDependency[AssessmentService]
Legionella = NamedDependency[LegionellaService]
Surveys = NamedDependency[SurveyService]
Absence = NamedDependency[AbsenceService]
