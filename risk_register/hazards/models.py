"""The hazards domain's tables (imported by risk_register/db/models.py so Alembic sees them).

team                    a team or org unit in a region (and PDU): what people-hazards are assessed for
hazard_control          a control applied to a site or a team, from a template or custom, with its schedule and
                        the derived state its checks give it (next_due_on, last_outcome...), stored so the H&S
                        lead's lists are single indexed queries
control_check           one check of a control: when, who, outcome, notes, evidence
risk_assessment         an assessment of one hazard for a site or a team, with its checklist item by item and
                        the derived suitable-and-sufficient verdict stored beside it
legionella_reading      one temperature at one outlet on one day, judged against HSG274 when recorded
stress_survey           one Indicator Tool survey of a team, its scale scores stored when imported
stress_survey_response  one respondent's 35 answers (anonymous; not copied to the audit trail)
sickness_absence        days lost per team per period, with the FTE to put them per head

Other domains link to ``hazard_control.id`` and ``risk_assessment.id`` (UUIDs); keep those names.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from risk_register.db.types import Versioned, enum_column
from risk_register.estates.models import Site
from risk_register.hazards.enums import (
    CheckOutcome,
    CheckSource,
    FrequencyUnit,
    OutletKind,
    SubjectKind,
    Water,
)
from risk_register.organisation.models import RegionRecord

Json = JSON().with_variant(JSONB(), "postgresql")
ONE_SUBJECT = "(site_id IS NULL) <> (team_id IS NULL)"


class Team(Versioned, UUIDv7AuditBase):
    """A team or org unit (e.g. a PDU's sentence-management team, a UPW delivery team, an AP staff team)."""

    __tablename__ = "team"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    pdu_code: Mapped[str | None] = mapped_column(ForeignKey("pdu.code"), index=True)
    headcount: Mapped[int] = mapped_column(Integer, default=0)

    region: Mapped[RegionRecord] = relationship(lazy="joined", innerjoin=True)

    @property
    def area_code(self) -> str:
        return self.region.area_code


class _Subject:
    """A record that belongs to exactly one site or one team (the table's CHECK constraint)."""

    @property
    def subject_kind(self) -> SubjectKind:
        return SubjectKind.SITE if getattr(self, "site_id", None) is not None else SubjectKind.TEAM

    @property
    def area_code(self) -> str:
        owner: Any = getattr(self, "site") if self.subject_kind == SubjectKind.SITE else getattr(self, "team")  # noqa: B009
        return str(owner.area_code)


class HazardControl(_Subject, Versioned, UUIDv7AuditBase):
    __tablename__ = "hazard_control"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint("frequency_count >= 1", name="frequency_positive"),
        # The overdue list and due-soon list: controls in use, by next due date (ties by id). Partial, so the
        # count of overdue controls is an index-only range scan.
        Index(
            "ix_hazard_control_in_use_due",
            "next_due_on",
            "id",
            sqlite_where=text("retired_on IS NULL"),
            postgresql_where=text("retired_on IS NULL"),
        ),
        # The failing list: controls in use by latest outcome, longest failing first.
        Index(
            "ix_hazard_control_in_use_outcome",
            "last_outcome",
            "last_checked_on",
            sqlite_where=text("retired_on IS NULL"),
            postgresql_where=text("retired_on IS NULL"),
        ),
    )

    hazard_code: Mapped[str] = mapped_column(String(40), index=True)
    template_code: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(Text)  # statutory or guidance basis
    site_id: Mapped[UUID | None] = mapped_column(ForeignKey("site.id"), index=True)
    team_id: Mapped[UUID | None] = mapped_column(ForeignKey("team.id"), index=True)
    owner: Mapped[str] = mapped_column(String(200))
    frequency_unit: Mapped[FrequencyUnit] = mapped_column(enum_column(FrequencyUnit))
    frequency_count: Mapped[int] = mapped_column(Integer)
    first_due_on: Mapped[date] = mapped_column(Date)
    retired_on: Mapped[date | None] = mapped_column(Date)
    # Derived by hazards.rules.control_state from the schedule and the checks; written only by the service
    # (and the demo loader) through that one function.
    next_due_on: Mapped[date] = mapped_column(Date)
    last_checked_on: Mapped[date | None] = mapped_column(Date)
    last_outcome: Mapped[CheckOutcome | None] = mapped_column(enum_column(CheckOutcome))

    site: Mapped[Site | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")


class ControlCheck(Versioned, UUIDv7AuditBase):
    __tablename__ = "control_check"
    __table_args__ = (Index("ix_control_check_control_checked", "control_id", "checked_on"),)

    control_id: Mapped[UUID] = mapped_column(ForeignKey("hazard_control.id"))
    checked_on: Mapped[date] = mapped_column(Date)
    checked_by: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[CheckOutcome] = mapped_column(enum_column(CheckOutcome))
    notes: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[CheckSource] = mapped_column(enum_column(CheckSource), default=CheckSource.MANUAL)

    control: Mapped[HazardControl] = relationship(lazy="joined", innerjoin=True)


class RiskAssessment(_Subject, Versioned, UUIDv7AuditBase):
    __tablename__ = "risk_assessment"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        # The attention list: current assessments not suitable and sufficient, or past their review date.
        Index("ix_risk_assessment_current_review", "superseded_by_id", "next_review_on"),
        Index("ix_risk_assessment_current_suitable", "superseded_by_id", "suitable_and_sufficient"),
    )

    hazard_code: Mapped[str] = mapped_column(String(40), index=True)
    site_id: Mapped[UUID | None] = mapped_column(ForeignKey("site.id"), index=True)
    team_id: Mapped[UUID | None] = mapped_column(ForeignKey("team.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    assessor_name: Mapped[str] = mapped_column(String(200))
    assessor_competence: Mapped[str | None] = mapped_column(Text)
    assessed_on: Mapped[date] = mapped_column(Date)
    persons_at_risk: Mapped[str | None] = mapped_column(Text)  # who might be harmed, and how
    significant_findings: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    review_interval_months: Mapped[int] = mapped_column(Integer)
    next_review_on: Mapped[date] = mapped_column(Date)
    checklist: Mapped[dict[str, bool]] = mapped_column(Json, default=dict)
    # Derived by hazards.rules.suitability on every write.
    suitable_and_sufficient: Mapped[bool] = mapped_column(Boolean)
    missing_items: Mapped[list[str]] = mapped_column(Json, default=list)
    superseded_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("risk_assessment.id"))

    site: Mapped[Site | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")


class LegionellaReading(UUIDv7AuditBase):
    """Immutable once recorded (HSG274 records are kept at least 5 years); removed only with the check it made."""

    __tablename__ = "legionella_reading"
    __table_args__ = (
        # One reading per outlet, water and day: a second is a duplicate, refused, not a second row.
        UniqueConstraint("site_id", "outlet", "water", "taken_on", name="uq_legionella_reading_point_day"),
    )

    site_id: Mapped[UUID] = mapped_column(ForeignKey("site.id"), index=True)
    control_id: Mapped[UUID | None] = mapped_column(ForeignKey("hazard_control.id"), index=True)
    check_id: Mapped[UUID | None] = mapped_column(ForeignKey("control_check.id"), index=True)
    outlet: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OutletKind] = mapped_column(enum_column(OutletKind))
    water: Mapped[Water] = mapped_column(enum_column(Water))
    taken_on: Mapped[date] = mapped_column(Date)
    temperature_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    run_seconds: Mapped[int | None] = mapped_column(Integer)
    taken_by: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # Judged by hazards.rules.judge_reading against config/legionella.toml when recorded.
    passed: Mapped[bool] = mapped_column(Boolean)
    requirement: Mapped[str] = mapped_column(String(100))


class StressSurvey(Versioned, UUIDv7AuditBase):
    __tablename__ = "stress_survey"
    __table_args__ = (UniqueConstraint("team_id", "surveyed_on", name="uq_stress_survey_team_day"),)

    team_id: Mapped[UUID] = mapped_column(ForeignKey("team.id"), index=True)
    surveyed_on: Mapped[date] = mapped_column(Date)
    invited: Mapped[int | None] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    # Derived by hazards.rules.team_scores when imported: {scale: "3.45" | null, "_respondents": {scale: n}}.
    scale_scores: Mapped[dict[str, Any]] = mapped_column(Json)

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)


class StressSurveyResponse(UUIDv7AuditBase):
    """One anonymous respondent's answers. Not copied into the append-only audit trail (the survey's own
    create and delete are), so deleting a survey for data-protection reasons really removes the answers."""

    __tablename__ = "stress_survey_response"
    __audit_exclude__ = True

    survey_id: Mapped[UUID] = mapped_column(ForeignKey("stress_survey.id", ondelete="CASCADE"), index=True)
    answers: Mapped[list[int | None]] = mapped_column(Json)  # 35 answers, item 1 first; null = not answered


class SicknessAbsence(Versioned, UUIDv7AuditBase):
    __tablename__ = "sickness_absence"
    __table_args__ = (
        UniqueConstraint("team_id", "period_start", "period_end", name="uq_sickness_absence_team_period"),
    )

    team_id: Mapped[UUID] = mapped_column(ForeignKey("team.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    fte: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    days_lost: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    mental_health_days_lost: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
