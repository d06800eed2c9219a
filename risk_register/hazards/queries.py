"""The hazards rules that lists filter on, stated as SQL expressions, and the location filters every list takes.

Each expression mirrors one function in hazards/rules.py and is built from the same constants (and, for date
bounds, from the same rule functions); tests/integration/test_hazards_sql_rules.py checks on both engines that
SQL and Python pick the same rows.

Lists read the derived fields stored on each control (next_due_on, last_outcome), which the service keeps
current through rules.control_state on every check written or deleted: so "overdue" is one indexed range
(ix_hazard_control_in_use_due), never a scan of every control's checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true

from risk_register.core.filters import OrgFilter
from risk_register.estates.enums import SiteType
from risk_register.estates.models import Site
from risk_register.hazards.enums import FAILING_OUTCOMES, CheckOutcome, ControlStatus, SubjectKind
from risk_register.hazards.models import HazardControl, RiskAssessment, Team
from risk_register.hazards.rules import latest_due_date_overdue_by
from risk_register.organisation.reference import Organisation

_FAILING = [o.value for o in FAILING_OUTCOMES]

# --- controls -------------------------------------------------------------------------------------------------


def control_in_use() -> ColumnElement[bool]:
    return HazardControl.retired_on.is_(None)


def control_failing() -> ColumnElement[bool]:
    """SQL form of rules.is_failing."""
    return and_(control_in_use(), HazardControl.last_outcome.in_(_FAILING))


def control_overdue(today: date) -> ColumnElement[bool]:
    """SQL form of rules.is_overdue: in use and next due before today."""
    return and_(control_in_use(), HazardControl.next_due_on < today)


def control_overdue_by_at_least(today: date, min_days: int) -> ColumnElement[bool]:
    """SQL form of rules.overdue_by_at_least."""
    return and_(control_in_use(), HazardControl.next_due_on <= latest_due_date_overdue_by(today, min_days))


def control_due_within(today: date, days: int) -> ColumnElement[bool]:
    """SQL form of rules.is_due_within: due from today to ``days`` days ahead, both included."""
    return and_(
        control_in_use(), HazardControl.next_due_on >= today, HazardControl.next_due_on <= today + timedelta(days=days)
    )


def _not_failing() -> ColumnElement[bool]:
    return or_(HazardControl.last_outcome.is_(None), HazardControl.last_outcome.not_in(_FAILING))


def control_status_is(status: ControlStatus, today: date) -> ColumnElement[bool]:
    """SQL form of rules.control_status == ``status``, with the same precedence
    (retired > failing > overdue > not yet checked > effective)."""
    if status == ControlStatus.RETIRED:
        return HazardControl.retired_on.is_not(None)
    if status == ControlStatus.FAILING:
        return control_failing()
    if status == ControlStatus.OVERDUE:
        return and_(control_overdue(today), _not_failing())
    if status == ControlStatus.NOT_YET_CHECKED:
        return and_(control_in_use(), HazardControl.last_outcome.is_(None), HazardControl.next_due_on >= today)
    passed = [o.value for o in CheckOutcome if o not in FAILING_OUTCOMES]
    return and_(control_in_use(), HazardControl.last_outcome.in_(passed), HazardControl.next_due_on >= today)


# --- risk assessments ---------------------------------------------------------------------------------------


def assessment_current() -> ColumnElement[bool]:
    return RiskAssessment.superseded_by_id.is_(None)


def assessment_review_overdue(today: date) -> ColumnElement[bool]:
    """SQL form of rules.review_overdue."""
    return and_(assessment_current(), RiskAssessment.next_review_on < today)


def assessment_needs_attention(today: date) -> ColumnElement[bool]:
    """Current and either not suitable and sufficient (the stored verdict of rules.suitability) or overdue
    for review."""
    return and_(
        assessment_current(),
        or_(RiskAssessment.suitable_and_sufficient.is_(false()), RiskAssessment.next_review_on < today),
    )


# --- where: sites and teams ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """The location filters of a hazards list: organisation, site type (UPW parity) and site or team."""

    org: OrgFilter = field(default_factory=OrgFilter)
    subject: SubjectKind | None = None
    site_id: Any = None
    team_id: Any = None

    @property
    def needs_join(self) -> bool:
        o = self.org
        return bool(o.area or o.region or o.pdu or o.site_types)


def region_of() -> ColumnElement[Any]:
    """The region of a site-or-team record, from the joined site or team (see with_subject)."""
    return func.coalesce(Site.region_code, Team.region_code)


def with_subject(stmt: Select[Any], model: Any) -> Select[Any]:
    """Outer-join the site and the team a record belongs to (one of them is null)."""
    return stmt.outerjoin(Site, Site.id == model.site_id).outerjoin(Team, Team.id == model.team_id)


def where_conditions(model: Any, where: Where, organisation: Organisation) -> list[ColumnElement[bool]]:
    """Conditions on a site-or-team record joined by ``with_subject``. A site-type filter keeps site records
    only: teams have no site type."""
    org = where.org
    conditions: list[ColumnElement[bool]] = []
    region = region_of()
    if org.area is not None:
        conditions.append(region.in_([r.code for r in organisation.regions if r.area_code == org.area]))
    if org.region is not None:
        conditions.append(region == org.region)
    if org.pdu is not None:
        conditions.append(func.coalesce(Site.pdu_code, Team.pdu_code) == org.pdu)
    if org.site_types:
        conditions.append(Site.site_type.in_([SiteType(t).value for t in org.site_types]))
    conditions.extend(subject_conditions(model, where))
    return conditions


def subject_conditions(model: Any, where: Where) -> list[ColumnElement[bool]]:
    """The conditions that need no join: one site, one team, or sites only / teams only."""
    conditions: list[ColumnElement[bool]] = []
    if where.subject == SubjectKind.SITE:
        conditions.append(model.site_id.is_not(None))
    elif where.subject == SubjectKind.TEAM:
        conditions.append(model.team_id.is_not(None))
    if where.site_id is not None:
        conditions.append(model.site_id == where.site_id)
    if where.team_id is not None:
        conditions.append(model.team_id == where.team_id)
    return conditions


def owner_is(owner: str | None) -> ColumnElement[bool]:
    """Owner filter: the same name whatever its case and surrounding spaces."""
    if owner is None:
        return true()
    return func.lower(HazardControl.owner) == owner.strip().lower()


def upw_bucket(site_type: str | None) -> str:
    """The UPW-parity bucket a record counts in: unpaid work sites, the rest of the estate, or teams."""
    if site_type is None:
        return "teams"
    return "unpaid_work" if SiteType(site_type) == SiteType.UNPAID_WORK else "rest_of_estate"


def control_columns() -> list[Any]:
    """The columns a control row in any list needs (with_subject joined)."""
    return [
        HazardControl.id,
        HazardControl.version,
        HazardControl.hazard_code,
        HazardControl.template_code,
        HazardControl.title,
        HazardControl.owner,
        HazardControl.frequency_unit,
        HazardControl.frequency_count,
        HazardControl.first_due_on,
        HazardControl.retired_on,
        HazardControl.next_due_on,
        HazardControl.last_checked_on,
        HazardControl.last_outcome,
        HazardControl.site_id,
        HazardControl.team_id,
        *subject_columns(),
    ]


def subject_columns() -> list[Any]:
    """The joined site's and team's columns views.subject_of_row reads."""
    return [
        Site.code.label("site_code"),
        Site.name.label("site_name"),
        Site.site_type.label("site_type"),
        Site.region_code.label("site_region_code"),
        Site.pdu_code.label("site_pdu_code"),
        Team.code.label("team_code"),
        Team.name.label("team_name"),
        Team.region_code.label("team_region_code"),
        Team.pdu_code.label("team_pdu_code"),
    ]


def control_rows(conditions: list[ColumnElement[bool]], order: list[Any], limit: int, offset: int) -> Select[Any]:
    return (
        with_subject(select(*control_columns()), HazardControl)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )


def control_count(conditions: list[ColumnElement[bool]], join: bool) -> Select[Any]:
    stmt = select(func.count()).select_from(HazardControl)
    if join:
        stmt = with_subject(stmt, HazardControl)
    return stmt.where(*conditions)
