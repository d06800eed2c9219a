"""The registers vocabulary. Values are the API's and the database's spelling."""

from __future__ import annotations

from enum import StrEnum


class RegisterLevel(StrEnum):
    NATIONAL = "national"  # the HMPPS Leadership Team register: one, no Area
    AREA = "area"  # one "Area business risk register" per HMPPS Area, owned by its AED
    REGIONAL = "regional"  # optional: a probation region's own register, whose risks escalate to the Area


class RiskStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"  # referred up to the next level's register
    TOLERATED = "tolerated"  # accepted at its current level
    CLOSED = "closed"


class AppetiteLevel(StrEnum):
    """Orange Book risk appetite levels, least to most willing (Risk Appetite Guidance Note, 2021)."""

    AVERSE = "averse"
    MINIMAL = "minimal"
    CAUTIOUS = "cautious"
    OPEN = "open"
    EAGER = "eager"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Axis(StrEnum):
    LIKELIHOOD = "likelihood"
    IMPACT = "impact"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LinkKind(StrEnum):
    SITE = "site"  # an estates site, by id or site code
    HAZARD_TYPE = "hazard_type"  # a hazard catalogue code (config/hazards.toml)
    CONTROL = "control"  # a control on a site or team (hazards work), by id
    ASSESSMENT = "assessment"  # a risk assessment (hazards work), by id


class ChangeKind(StrEnum):
    """What happened to a risk between two dates, as a quarterly review board reads it."""

    NEW = "new"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    DE_ESCALATED = "de_escalated"
    SCORE_UP = "score_up"
    SCORE_DOWN = "score_down"
    UPDATED = "updated"  # some other field changed and none of the above applies


class ChangeSource(StrEnum):
    API = "api"
    IMPORT = "import"
    DEMO = "demo"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
