"""Registers services: Advanced Alchemy repository services plus the rules each write must keep.

Services never commit: the SQLAlchemy plugin commits after a 2xx response and rolls back otherwise. Every
change to a risk writes its version row (whole-row snapshot) in the same transaction, so history and the
risk can never disagree. Access: national register writes need NATIONAL_REGISTER_WRITE; Area and regional
register writes need AREA_REGISTER_WRITE within the register's Area (accounts.scope.require).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, cast
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import ColumnElement, Table, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.accounts import scope
from risk_register.accounts.roles import Permission
from risk_register.core.concurrency import check_version
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, NotFound, RuleViolation, raise_if_any
from risk_register.core.pagination import PageRequest
from risk_register.estates.models import Site
from risk_register.organisation.reference import Organisation
from risk_register.registers import queries, rules
from risk_register.registers.enums import ChangeKind, ChangeSource, LinkKind, RegisterLevel, RiskStatus
from risk_register.registers.models import Register, RegisterImport, Risk, RiskAction, RiskLink, RiskVersion
from risk_register.registers.schemas import (
    ActionCreate,
    ActionUpdate,
    LinkCreate,
    RegisterCreate,
    RegisterUpdate,
    RiskCreate,
    RiskUpdate,
)

# Tables of the hazards work that links may point at, when they exist (looked up on the shared metadata).
LINK_TABLES = {LinkKind.CONTROL: "hazard_control", LinkKind.ASSESSMENT: "risk_assessment"}


# --- access --------------------------------------------------------------------------------------------


def require_register_write(register: Register) -> None:
    """Refuse (403) unless the signed-in user may change this register and its risks."""
    if register.level == RegisterLevel.NATIONAL:
        scope.require(Permission.NATIONAL_REGISTER_WRITE, None)
    else:
        scope.require(Permission.AREA_REGISTER_WRITE, register.area_code)


def acting_username() -> str:
    principal = scope.acting()
    return principal.username if principal else "system"


def _apply(model: Any, changes: Mapping[str, Any]) -> None:
    for name, value in changes.items():
        setattr(model, name, value)


def snapshot(record: Any) -> dict[str, Any]:
    """A risk's data (rules.RISK_FIELDS) as a plain mapping."""
    return {name: getattr(record, name) for name in rules.RISK_FIELDS}


# --- registers -----------------------------------------------------------------------------------------


def scope_key(level: RegisterLevel, code: str | None = None) -> str:
    if level == RegisterLevel.NATIONAL:
        return "national"
    return f"{'area' if level == RegisterLevel.AREA else 'region'}:{code}"


async def ensure_registers(session: AsyncSession, organisation: Organisation) -> int:
    """Create the national register and one register per HMPPS Area where missing (idempotent; run at start-up
    after the organisation sync, and by the demo loader). Existing registers are left as people edited them.
    Returns how many were created."""
    existing = set((await session.scalars(select(Register.scope_key))).all())
    wanted = [
        Register(
            level=RegisterLevel.NATIONAL,
            area_code=None,
            region_code=None,
            scope_key=scope_key(RegisterLevel.NATIONAL),
            name="National risk register",
            owner="HMPPS Leadership Team",
            description="The HMPPS Leadership Team risk register",
        ),
        *(
            Register(
                level=RegisterLevel.AREA,
                area_code=area.code,
                region_code=None,
                scope_key=scope_key(RegisterLevel.AREA, area.code),
                name=f"{area.name} Area business risk register",
                owner=f"Area Executive Director, {area.name}",
                description=None,
            )
            for area in organisation.areas
        ),
    ]
    created = 0
    for register in wanted:
        if register.scope_key in existing:
            continue
        try:
            async with session.begin_nested():  # another worker starting at the same moment may win the race
                session.add(register)
        except IntegrityError:
            continue
        created += 1
    return created


class RegisterRepository(SQLAlchemyAsyncRepository[Register]):
    model_type = Register


class RegisterService(SQLAlchemyAsyncRepositoryService[Register, RegisterRepository]):
    repository_type = RegisterRepository
    count_with_window_function = False

    async def get_register(self, register_id: UUID) -> Register:
        register = await self.get_one_or_none(Register.id == register_id)
        if register is None:
            raise NotFound(f"No register with id {register_id}")
        return register

    async def list_registers(
        self, *, level: RegisterLevel | None, area: str | None, page: PageRequest
    ) -> tuple[Sequence[Register], int]:
        conditions: list[ColumnElement[bool]] = []
        if level is not None:
            conditions.append(Register.level == level.value)
        if area is not None:
            conditions.append(Register.area_code == area)
        session = self.repository.session
        total = await session.scalar(select(func.count()).select_from(Register).where(*conditions))
        level_order = {RegisterLevel.NATIONAL.value: 0, RegisterLevel.AREA.value: 1, RegisterLevel.REGIONAL.value: 2}
        items = (
            await session.scalars(
                select(Register)
                .where(*conditions)
                .order_by(func.coalesce(_case_order(Register.level, level_order), 9), Register.name, Register.id)
                .limit(page.limit)
                .offset(page.offset)
            )
        ).all()
        return items, int(total or 0)

    async def risks_by_status(self, register_ids: Iterable[UUID]) -> dict[UUID, dict[str, int]]:
        ids = list(register_ids)
        counts: dict[UUID, dict[str, int]] = {rid: {s.value: 0 for s in RiskStatus} for rid in ids}
        if not ids:
            return counts
        rows = await self.repository.session.execute(
            select(Risk.register_id, Risk.status, func.count())
            .where(Risk.register_id.in_(ids))
            .group_by(Risk.register_id, Risk.status)
        )
        for register_id, status, count in rows:
            counts[register_id][RiskStatus(status).value] = int(count)
        return counts

    async def list_imports(self, register_id: UUID, page: PageRequest) -> tuple[Sequence[RegisterImport], int]:
        session = self.repository.session
        condition = RegisterImport.register_id == register_id
        total = await session.scalar(select(func.count()).select_from(RegisterImport).where(condition))
        items = (
            await session.scalars(
                select(RegisterImport)
                .where(condition)
                .order_by(RegisterImport.created_at.desc(), RegisterImport.id.desc())
                .limit(page.limit)
                .offset(page.offset)
            )
        ).all()
        return items, int(total or 0)

    async def create_regional(self, data: RegisterCreate, ctx: Context) -> Register:
        region = ctx.organisation.region(data.region_code)
        if region is None:
            raise RuleViolation.of(FieldProblem("region_code", f"unknown region code {data.region_code!r}"))
        scope.require(Permission.AREA_REGISTER_WRITE, region.area_code)
        key = scope_key(RegisterLevel.REGIONAL, region.code)
        if await self.get_one_or_none(Register.scope_key == key) is not None:
            raise Conflict(
                f"The {region.name} region already has a register",
                [FieldProblem("region_code", "already has a register")],
            )
        register = await self.create(
            Register(
                level=RegisterLevel.REGIONAL,
                area_code=region.area_code,
                region_code=region.code,
                scope_key=key,
                name=data.name or f"{region.name} regional risk register",
                owner=data.owner,
                description=data.description,
            )
        )
        return await self.get_register(register.id)

    async def update_register(self, register_id: UUID, data: RegisterUpdate, expected_version: int) -> Register:
        register = await self.get_register(register_id)
        require_register_write(register)
        check_version(register, expected_version)
        _apply(register, data.changes())
        await self.update(register)
        return await self.get_register(register_id)

    async def delete_register(self, register_id: UUID, expected_version: int) -> None:
        register = await self.get_register(register_id)
        require_register_write(register)
        check_version(register, expected_version)
        if register.level != RegisterLevel.REGIONAL:
            raise Conflict(f"The {register.level.value} register cannot be deleted; only regional registers can")
        session = self.repository.session
        count = await session.scalar(select(func.count()).select_from(Risk).where(Risk.register_id == register_id))
        if count:
            raise Conflict(f"{register.name} holds {count} risk(s); delete or move them first")
        logs = await session.scalars(select(RegisterImport).where(RegisterImport.register_id == register_id))
        for log in logs.all():
            await session.delete(log)
        await self.delete(register_id)


def _case_order(column: Any, order: Mapping[str, int]) -> ColumnElement[Any]:
    return case(dict(order), value=column)


# --- risks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFilter:
    register_id: UUID | None = None
    level: RegisterLevel | None = None
    area: str | None = None
    statuses: list[RiskStatus] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    bands: list[str] = field(default_factory=list)
    above_appetite: bool | None = None
    review_overdue: bool | None = None
    has_national_reference: bool | None = None
    national_reference: str | None = None
    text: str | None = None


RiskSort = Literal[
    "reference", "title", "residual_score", "next_review_on", "identified_on", "status", "category", "updated_at"
]


def risk_conditions(where: RiskFilter, ctx: Context) -> list[ColumnElement[bool]]:
    rr = ctx.register_rules
    problems = [
        FieldProblem("category", f"unknown category {c!r}") for c in where.categories if c not in rr.categories
    ] + [FieldProblem("band", f"unknown band {b!r}") for b in where.bands if b not in {x.code for x in rr.bands}]
    if where.area is not None and not ctx.organisation.has_area(where.area):
        problems.append(FieldProblem("area", f"unknown Area code {where.area!r}"))
    raise_if_any(problems)
    conditions: list[ColumnElement[bool]] = []
    if where.register_id is not None:
        conditions.append(Risk.register_id == where.register_id)
    register_conditions = []
    if where.level is not None:
        register_conditions.append(Register.level == where.level.value)
    if where.area is not None:
        register_conditions.append(Register.area_code == where.area)
    if register_conditions:
        conditions.append(Risk.register_id.in_(select(Register.id).where(*register_conditions)))
    if where.statuses:
        conditions.append(Risk.status.in_([s.value for s in where.statuses]))
    if where.categories:
        conditions.append(Risk.category.in_(where.categories))
    if where.bands:
        conditions.append(queries.band_code(queries.residual_score(Risk), rr).in_(where.bands))
    if where.above_appetite is not None:
        above = queries.above_appetite(Risk, rr)
        conditions.append(above if where.above_appetite else ~above)
    if where.review_overdue is not None:
        overdue = queries.review_overdue(Risk, ctx.today)
        conditions.append(overdue if where.review_overdue else ~overdue)
    if where.has_national_reference is not None:
        column = Risk.national_reference
        conditions.append(column.is_not(None) if where.has_national_reference else column.is_(None))
    if where.national_reference is not None:
        conditions.append(Risk.national_reference == where.national_reference)
    if where.text:
        pattern = f"%{where.text.lower()}%"
        conditions.append(func.lower(Risk.title).like(pattern) | func.lower(Risk.reference).like(pattern))
    return conditions


def risk_order(sort: RiskSort, order: str) -> list[Any]:
    column: Any = queries.residual_score(Risk) if sort == "residual_score" else getattr(Risk, sort)
    return [column.desc() if order == "desc" else column.asc(), Risk.reference.asc(), Risk.id.asc()]


def version_row(
    *,
    risk_id: UUID,
    register_id: UUID,
    version_no: int,
    valid_from: date,
    changed: Sequence[str],
    source: ChangeSource,
    recorded_by: str,
    data: Mapping[str, Any],
    import_id: UUID | None = None,
) -> dict[str, Any]:
    """One risk_version row: the whole risk (``data``, rules.RISK_FIELDS) from ``valid_from`` on."""
    now = datetime.now(UTC)
    return {
        "id": uuid7(),
        "risk_id": risk_id,
        "register_id": register_id,
        "version_no": version_no,
        "valid_from": valid_from,
        "valid_to": None,
        "recorded_by": recorded_by,
        "source": source,
        "import_id": import_id,
        "changed": list(changed),
        "created_at": now,
        "updated_at": now,
        **{name: data[name] for name in rules.RISK_FIELDS},
    }


async def insert_versions(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write version rows in bulk, after the risks they belong to are flushed. A Core insert: versions are
    history derived from the audited change to the risk, not user records of their own."""
    for start in range(0, len(rows), 2000):
        await session.execute(insert(cast(Table, RiskVersion.__table__)), list(rows[start : start + 2000]))


async def close_current_versions(session: AsyncSession, risk_ids: Sequence[UUID], valid_to: date) -> None:
    """End the current version of each risk on ``valid_to`` (a new one starts that day)."""
    for start in range(0, len(risk_ids), 1000):
        await session.execute(
            update(RiskVersion)
            .where(RiskVersion.risk_id.in_(risk_ids[start : start + 1000]), RiskVersion.valid_to.is_(None))
            .values(valid_to=valid_to, updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )


async def last_change_dates(session: AsyncSession, risk_ids: Sequence[UUID]) -> dict[UUID, date]:
    """When each risk's current version took effect."""
    found: dict[UUID, date] = {}
    for start in range(0, len(risk_ids), 1000):
        rows = await session.execute(
            select(RiskVersion.risk_id, RiskVersion.valid_from).where(
                RiskVersion.risk_id.in_(risk_ids[start : start + 1000]), RiskVersion.valid_to.is_(None)
            )
        )
        found.update(rows.tuples().all())
    return found


class RiskRepository(SQLAlchemyAsyncRepository[Risk]):
    model_type = Risk


class RiskService(SQLAlchemyAsyncRepositoryService[Risk, RiskRepository]):
    repository_type = RiskRepository
    count_with_window_function = False

    @property
    def session(self) -> AsyncSession:
        return cast(AsyncSession, self.repository.session)

    async def get_risk(self, risk_id: UUID) -> Risk:
        risk = await self.get_one_or_none(Risk.id == risk_id)
        if risk is None:
            raise NotFound(f"No risk with id {risk_id}")
        return risk

    async def list_risks(
        self, conditions: Sequence[ColumnElement[bool]], order: Sequence[Any], page: PageRequest
    ) -> tuple[Sequence[Risk], int]:
        total = await self.session.scalar(select(func.count()).select_from(Risk).where(*conditions))
        items = (
            await self.session.scalars(
                select(Risk).where(*conditions).order_by(*order).limit(page.limit).offset(page.offset)
            )
        ).all()
        return items, int(total or 0)

    async def _refuse_duplicate_reference(self, register_id: UUID, reference: str, except_id: UUID | None) -> None:
        existing = await self.session.scalar(
            select(Risk.id).where(Risk.register_id == register_id, Risk.reference == reference)
        )
        if existing is not None and existing != except_id:
            raise Conflict(
                f"The register already has a risk {reference!r}", [FieldProblem("reference", "is already used")]
            )

    async def create_risk(self, register: Register, data: RiskCreate, ctx: Context) -> Risk:
        require_register_write(register)
        fields = data.model_dump()
        effective_on = fields.pop("effective_on") or ctx.today
        raise_if_any(rules.risk_problems(fields, level=register.level, rules=ctx.register_rules, today=ctx.today))
        raise_if_any(
            rules.effective_problems(
                effective_on, today=ctx.today, identified_on=data.identified_on, last_change_on=None
            )
        )
        await self._refuse_duplicate_reference(register.id, data.reference, None)
        risk = Risk(id=uuid7(), register_id=register.id, **fields)
        self.session.add(risk)
        await self.session.flush()
        await insert_versions(
            self.session,
            [
                version_row(
                    risk_id=risk.id,
                    register_id=register.id,
                    version_no=1,
                    valid_from=effective_on,
                    changed=[name for name in rules.RISK_FIELDS if fields.get(name) is not None],
                    source=ChangeSource.API,
                    recorded_by=acting_username(),
                    data=fields,
                )
            ],
        )
        return await self.get_risk(risk.id)

    async def update_risk(self, risk_id: UUID, data: RiskUpdate, ctx: Context, expected_version: int) -> Risk:
        risk = await self.get_risk(risk_id)
        require_register_write(risk.register)
        check_version(risk, expected_version)
        changes = data.changes()
        effective_on = changes.pop("effective_on", None) or ctx.today
        before = snapshot(risk)
        after = {**before, **changes}
        raise_if_any(rules.risk_problems(after, level=risk.register.level, rules=ctx.register_rules, today=ctx.today))
        changed = rules.changed_fields(before, after)
        if not changed:
            return risk  # nothing to write: no new version, the ETag stays
        if "reference" in changed:
            await self._refuse_duplicate_reference(risk.register_id, after["reference"], risk.id)
        last = (await last_change_dates(self.session, [risk.id])).get(risk.id)
        raise_if_any(
            rules.effective_problems(
                effective_on, today=ctx.today, identified_on=after["identified_on"], last_change_on=last
            )
        )
        version_no = risk.version + 1  # what the flush below makes it
        await close_current_versions(self.session, [risk.id], effective_on)
        _apply(risk, changes)
        await self.session.flush()
        await insert_versions(
            self.session,
            [
                version_row(
                    risk_id=risk.id,
                    register_id=risk.register_id,
                    version_no=version_no,
                    valid_from=effective_on,
                    changed=changed,
                    source=ChangeSource.API,
                    recorded_by=acting_username(),
                    data=after,
                )
            ],
        )
        return await self.get_risk(risk_id)

    async def delete_risk(self, risk_id: UUID, expected_version: int) -> None:
        risk = await self.get_risk(risk_id)
        require_register_write(risk.register)
        check_version(risk, expected_version)
        for child, what in ((RiskAction, "mitigating action"), (RiskLink, "link")):
            count = await self.session.scalar(select(func.count()).select_from(child).where(child.risk_id == risk_id))
            if count:
                raise Conflict(
                    f"Risk {risk.reference} has {count} {what}(s): delete them first, or close the risk instead"
                )
        await self.delete(risk_id)  # its versions go with it (ON DELETE CASCADE)

    # --- history -----------------------------------------------------------------------------------

    async def history(self, risk_id: UUID, page: PageRequest) -> tuple[Sequence[RiskVersion], int]:
        await self.get_risk(risk_id)
        total = await self.session.scalar(
            select(func.count()).select_from(RiskVersion).where(RiskVersion.risk_id == risk_id)
        )
        items = (
            await self.session.scalars(
                select(RiskVersion)
                .where(RiskVersion.risk_id == risk_id)
                .order_by(RiskVersion.version_no.desc())
                .limit(page.limit)
                .offset(page.offset)
            )
        ).all()
        return items, int(total or 0)

    async def as_at(
        self, register_id: UUID, day: date, statuses: Sequence[RiskStatus], page: PageRequest
    ) -> tuple[Sequence[RiskVersion], int]:
        conditions = [RiskVersion.register_id == register_id, queries.valid_at(RiskVersion, day)]
        if statuses:
            conditions.append(RiskVersion.status.in_([s.value for s in statuses]))
        total = await self.session.scalar(select(func.count()).select_from(RiskVersion).where(*conditions))
        items = (
            await self.session.scalars(
                select(RiskVersion)
                .where(*conditions)
                .order_by(RiskVersion.reference, RiskVersion.risk_id)
                .limit(page.limit)
                .offset(page.offset)
            )
        ).all()
        return items, int(total or 0)

    async def _state_at(self, register_id: UUID, day: date) -> dict[UUID, RiskVersion]:
        rows = await self.session.scalars(
            select(RiskVersion).where(RiskVersion.register_id == register_id, queries.valid_at(RiskVersion, day))
        )
        return {v.risk_id: v for v in rows}

    async def changes(
        self, register_id: UUID, start: date, end: date
    ) -> list[tuple[frozenset[ChangeKind], RiskVersion | None, RiskVersion]]:
        """Each risk that changed between the end of ``start`` and the end of ``end``, with what happened,
        ordered by reference."""
        before = await self._state_at(register_id, start)
        after = await self._state_at(register_id, end)
        found = []
        for risk_id, now in after.items():
            then = before.get(risk_id)
            kinds = rules.classify_change(None if then is None else snapshot(then), snapshot(now))
            if kinds:
                found.append((kinds, then, now))
        found.sort(key=lambda item: (item[2].reference, str(item[2].risk_id)))
        return found

    async def heat_map(self, register_id: UUID, basis: str, statuses: Sequence[RiskStatus]) -> list[list[int]]:
        likelihood, impact = rules.SCORE_PAIRS[basis]
        rows = await self.session.execute(
            select(getattr(Risk, likelihood), getattr(Risk, impact)).where(
                Risk.register_id == register_id, Risk.status.in_([s.value for s in statuses])
            )
        )
        return rules.heat_map((lk, im) for lk, im in rows)


# --- links ---------------------------------------------------------------------------------------------


def _as_uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def hazards_table(kind: LinkKind) -> Table | None:
    """The hazards work's table for controls or assessments, when the hazards package defines it."""
    from risk_register.db.models import metadata

    return metadata.tables.get(LINK_TABLES[kind])


class LinkRepository(SQLAlchemyAsyncRepository[RiskLink]):
    model_type = RiskLink


class LinkService(SQLAlchemyAsyncRepositoryService[RiskLink, LinkRepository]):
    repository_type = LinkRepository
    count_with_window_function = False

    async def get_link(self, link_id: UUID) -> RiskLink:
        link = await self.get_one_or_none(RiskLink.id == link_id)
        if link is None:
            raise NotFound(f"No risk link with id {link_id}")
        return link

    async def resolve_target(self, kind: LinkKind, target: str, ctx: Context) -> tuple[str, UUID | None]:
        """The stored form of a link's target (and the site id for a site), or 422 naming ``target``."""
        session = self.repository.session
        if kind == LinkKind.SITE:
            site_id = _as_uuid(target)
            condition = Site.id == site_id if site_id is not None else Site.code == target
            found = await session.scalar(select(Site.id).where(condition))
            if found is None:
                raise RuleViolation.of(FieldProblem("target", f"no site with id or code {target!r}"))
            return str(found), found
        if kind == LinkKind.HAZARD_TYPE:
            catalogue = ctx.register_rules.hazard_types
            if catalogue is not None and target not in catalogue:
                raise RuleViolation.of(FieldProblem("target", f"{target!r} is not in the hazard catalogue"))
            if catalogue is None and not _is_code(target):
                raise RuleViolation.of(FieldProblem("target", "must be a hazard code such as 'legionella'"))
            return target, None
        table = hazards_table(kind)
        if table is None:
            raise RuleViolation.of(FieldProblem("kind", f"{kind.value} links need the hazards work, not installed yet"))
        record_id = _as_uuid(target)
        if record_id is None:
            raise RuleViolation.of(FieldProblem("target", f"must be the {kind.value}'s id"))
        found = await session.scalar(select(table.c.id).where(table.c.id == record_id))
        if found is None:
            raise RuleViolation.of(FieldProblem("target", f"no {kind.value} with id {record_id}"))
        return str(record_id), None

    async def create_link(self, risk: Risk, data: LinkCreate, ctx: Context) -> RiskLink:
        require_register_write(risk.register)
        target, site_id = await self.resolve_target(data.kind, data.target, ctx)
        duplicate = await self.get_one_or_none(
            RiskLink.risk_id == risk.id, RiskLink.kind == data.kind.value, RiskLink.target == target
        )
        if duplicate is not None:
            raise Conflict("The risk already has this link", [FieldProblem("target", "is already linked")])
        link = await self.create(
            RiskLink(risk_id=risk.id, kind=data.kind, target=target, site_id=site_id, note=data.note)
        )
        return await self.get_link(link.id)

    async def delete_link(self, link_id: UUID, risks: RiskService, expected_version: int) -> None:
        link = await self.get_link(link_id)
        risk = await risks.get_risk(link.risk_id)
        require_register_write(risk.register)
        check_version(link, expected_version)
        await self.delete(link_id)


def _is_code(text: str) -> bool:
    return re.fullmatch(r"[a-z0-9][a-z0-9_-]*", text) is not None


# --- mitigating actions --------------------------------------------------------------------------------


class ActionRepository(SQLAlchemyAsyncRepository[RiskAction]):
    model_type = RiskAction


class ActionService(SQLAlchemyAsyncRepositoryService[RiskAction, ActionRepository]):
    repository_type = ActionRepository
    count_with_window_function = False

    async def get_action(self, action_id: UUID) -> RiskAction:
        action = await self.get_one_or_none(RiskAction.id == action_id)
        if action is None:
            raise NotFound(f"No mitigating action with id {action_id}")
        return action

    def _check(self, action: RiskAction, ctx: Context) -> None:
        raise_if_any(rules.action_problems(status=action.status, completed_on=action.completed_on, today=ctx.today))

    async def create_action(self, risk: Risk, data: ActionCreate, ctx: Context) -> RiskAction:
        require_register_write(risk.register)
        action = RiskAction(risk_id=risk.id, **data.model_dump())
        self._check(action, ctx)
        created = await self.create(action)
        return await self.get_action(created.id)

    async def update_action(
        self, action_id: UUID, data: ActionUpdate, ctx: Context, expected_version: int
    ) -> RiskAction:
        action = await self.get_action(action_id)
        require_register_write(action.risk.register)
        check_version(action, expected_version)
        _apply(action, data.changes())
        self._check(action, ctx)
        await self.update(action)
        return await self.get_action(action_id)

    async def delete_action(self, action_id: UUID, expected_version: int) -> None:
        action = await self.get_action(action_id)
        require_register_write(action.risk.register)
        check_version(action, expected_version)
        await self.delete(action_id)

    async def list_actions(
        self, conditions: Sequence[ColumnElement[bool]], order: Sequence[Any], page: PageRequest
    ) -> tuple[Sequence[RiskAction], int]:
        session = self.repository.session
        total = await session.scalar(select(func.count()).select_from(RiskAction).where(*conditions))
        items = (
            await session.scalars(
                select(RiskAction).where(*conditions).order_by(*order).limit(page.limit).offset(page.offset)
            )
        ).all()
        return items, int(total or 0)
