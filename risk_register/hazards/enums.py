"""The hazards vocabulary. Values are the API's and the database's spelling.

Hazard and control-template codes are data (config/hazards.toml), not enums: the catalogue can grow without a
release. Everything here is structure the rules depend on.
"""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    """What a control or an assessment is about: a building, or a group of people."""

    SITE = "site"
    TEAM = "team"


class FrequencyUnit(StrEnum):
    DAY = "day"
    MONTH = "month"  # calendar months (see rules.add_frequency), never 30 days


class CheckOutcome(StrEnum):
    PASS = "pass"
    PARTIAL = "partial"  # some of what the check covers failed (e.g. one sentinel outlet of four)
    FAIL = "fail"


class CheckSource(StrEnum):
    MANUAL = "manual"
    LEGIONELLA_MONITORING = "legionella_monitoring"  # made from temperature readings


class ControlStatus(StrEnum):
    EFFECTIVE = "effective"
    FAILING = "failing"
    OVERDUE = "overdue"
    NOT_YET_CHECKED = "not_yet_checked"
    RETIRED = "retired"


class ChecklistItem(StrEnum):
    """The suitable-and-sufficient checklist (MHSWR 1999 reg 3; HSE's practical test), item by item.

    Descriptions and which items are required live in config/hazards.toml [assessment_checklist]."""

    HAZARDS_IDENTIFIED = "hazards_identified"
    WHO_MIGHT_BE_HARMED = "who_might_be_harmed"
    EXISTING_CONTROLS_EVALUATED = "existing_controls_evaluated"
    FURTHER_ACTIONS_WITH_OWNERS_AND_DATES = "further_actions_with_owners_and_dates"
    COMPETENT_ASSESSOR = "competent_assessor"
    SIGNIFICANT_FINDINGS_RECORDED = "significant_findings_recorded"
    REVIEW_DATE_SET = "review_date_set"
    WORKERS_CONSULTED = "workers_consulted"


class OutletKind(StrEnum):
    """Where a legionella temperature was taken (HSG274 Part 2)."""

    SENTINEL = "sentinel"  # nearest and furthest outlets from each tank or cylinder
    REPRESENTATIVE = "representative"  # rotating outlets covering the rest of the system
    CALORIFIER = "calorifier"  # hot water storage: flow and return
    INCOMING_MAIN = "incoming_main"  # incoming cold water main


class Water(StrEnum):
    HOT = "hot"
    COLD = "cold"
    MIXED_TMV = "mixed_tmv"  # an outlet with a thermostatic mixing valve: the hot supply to the TMV inlet
    FLOW = "flow"  # calorifier flow
    RETURN = "return"  # calorifier return


class StressScale(StrEnum):
    """The seven scales of the HSE Management Standards Indicator Tool."""

    DEMANDS = "demands"
    CONTROL = "control"
    MANAGERS_SUPPORT = "managers_support"
    PEER_SUPPORT = "peer_support"
    RELATIONSHIPS = "relationships"
    ROLE = "role"
    CHANGE = "change"


class StressBand(StrEnum):
    """HSE Analysis Tool colours against a benchmark's percentiles."""

    RED = "red"  # below the 20th percentile
    YELLOW = "yellow"  # 20th to 50th
    BLUE = "blue"  # 50th to 80th
    GREEN = "green"  # at or above the 80th


class LegionellaSiteStatus(StrEnum):
    FAILING = "failing"
    OVERDUE = "overdue"
    NOT_YET_CHECKED = "not_yet_checked"
    NO_CONTROLS = "no_controls"
    COMPLIANT = "compliant"


class AssessmentState(StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"  # a later assessment of the same hazard for the same site or team exists


FAILING_OUTCOMES = frozenset({CheckOutcome.FAIL, CheckOutcome.PARTIAL})
