"""The contract run's own apps and data: schemathesis fuzzes the OpenAPI schema once per signed-in role.

Each role (an admin; an Area leader for north-west) gets its own migrated SQLite file holding a small slice of
the demo estate and a few accounts, and its own app on a NullPool engine: schemathesis >= 4.32 starts an ASGI
app's lifespan once per app and serves it from an event loop of its own. The ids of the seeded records are
deterministic, so they are known when the tests are collected and go into the generator as dictionaries (with
the organisation's Area, region and PDU codes and If-Match versions): GET, PATCH and DELETE reach real records,
not only 404s. config/schemathesis.toml holds the settings and checks; the checks added here are at the end.

The schema is built when the test module is collected, from the same app object the test then calls
(``test_the_fuzzed_schema_is_the_served_one`` checks it equals GET /schema/openapi.json): schemathesis'
fixture-based lazy loading does not work with pytest 9.2, which no longer has the ``Function._nodeid`` it
writes. For the same reason ``pytest_collection_modifyitems`` gives each operation's item its own node id.
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import dataclasses
import json
import shutil
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
import schemathesis
from _pytest.terminal import TerminalReporter
from litestar import Litestar
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import ignored_auth
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from risk_register.accounts.models import AccessToken, TokenKind, User
from risk_register.accounts.roles import Role
from risk_register.accounts.security import new_token, token_digest
from risk_register.core.plugin import CorePlugin
from risk_register.db.config import create_engine
from risk_register.db.migrate import upgrade
from risk_register.demo.generator import generate_estate
from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.estates.rules import load_estates_rules
from risk_register.estates.services import refresh_all_accessibility
from risk_register.organisation.reference import load_organisation
from risk_register.organisation.services import sync_organisation
from risk_register.settings import PROJECT_ROOT, Settings
from tests.conftest import TODAY

CONFIG_DIR = PROJECT_ROOT / "config"
SCHEMATHESIS_CONFIG = CONFIG_DIR / "schemathesis.toml"
SCHEMA_PATH = "/schema/openapi.json"
HOME_AREA, AWAY_AREA = "north-west", "wales"
# Chance that a generated id, code or If-Match is replaced by one that exists.
KNOWN_VALUE_PROBABILITY = 0.5
# Versions the seeded records are at, or reach after one accepted change.
KNOWN_VERSIONS = ['"1"', '"2"', 'W/"1"']
# Records of each kind kept under each seeded site.
CHILDREN_PER_SITE = 2


@dataclass(frozen=True)
class Account:
    role: Role
    area: str | None
    signs_in: bool  # an account the run acts as: its records are kept out of the generator's reach

    @property
    def username(self) -> str:
        return f"contract-{self.role.value}{'-' + self.area if self.area else ''}".replace("_", "-")

    @property
    def user_id(self) -> UUID:
        return uuid5(NAMESPACE_URL, f"risk-register:contract:{self.username}")

    def token_id(self, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"risk-register:contract:{self.username}:{name}")


ACCOUNTS = [
    Account(Role.ADMIN, None, signs_in=True),
    Account(Role.AREA_LEADER, HOME_AREA, signs_in=True),
    # Other people: accounts the fuzzer may read and change, with tokens it may revoke.
    Account(Role.VIEWER, None, signs_in=False),
    Account(Role.HS_LEAD, AWAY_AREA, signs_in=False),
    Account(Role.AREA_LEADER, AWAY_AREA, signs_in=False),
]
# The roles the run signs in as.
ROLES = {"admin": ACCOUNTS[0], "scoped": ACCOUNTS[1]}


@dataclass(frozen=True)
class Estate:
    """A small slice of the (deterministic) demo estate, in the scoped user's Area and in another one."""

    sites: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    actions: list[dict[str, Any]]


@cache
def contract_estate() -> Estate:
    """Per Area: the first site with accessibility findings, the first with refurbishment projects, the first
    with repairs (so DELETE of a site meets "still referenced") and the first with none (DELETE can succeed)."""
    organisation = load_organisation(CONFIG_DIR)
    estate = generate_estate(organisation, load_estates_rules(CONFIG_DIR), scale=1, today=TODAY)
    children = {"findings": estate.findings, "projects": estate.projects, "actions": estate.actions}
    parents = {kind: {row["site_id"] for row in rows} for kind, rows in children.items()}
    sites: dict[UUID, dict[str, Any]] = {}
    for area in (HOME_AREA, AWAY_AREA):
        in_area = [s for s in estate.sites if organisation.area_of_region(s["region_code"]) == area]
        for kind in children:
            site = next((s for s in in_area if s["id"] in parents[kind]), None)
            if site is not None:
                sites[site["id"]] = site
        childless = next((s for s in in_area if not any(s["id"] in ids for ids in parents.values())), None)
        if childless is not None:
            sites[childless["id"]] = childless

    def under_sites(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: Counter[UUID] = Counter()
        kept = []
        for row in rows:
            if row["site_id"] in sites and seen[row["site_id"]] < CHILDREN_PER_SITE:
                seen[row["site_id"]] += 1
                kept.append(row)
        return kept

    return Estate(
        sites=list(sites.values()),
        findings=under_sites(estate.findings),
        projects=under_sites(estate.projects),
        actions=under_sites(estate.actions),
    )


def known_values() -> dict[str, tuple[list[str], list[str]]]:
    """Values that exist, by dictionary name: (the parameters and body fields they fill, the values). Record
    ids are the seeded ones, minus the signed-in accounts' own; codes are the organisation's (config/)."""
    estate = contract_estate()
    organisation = load_organisation(CONFIG_DIR)
    others = [a for a in ACCOUNTS if not a.signs_in]

    def ids(rows: list[dict[str, Any]]) -> list[str]:
        return [str(row["id"]) for row in rows]

    return {
        "site-ids": (["path.site_id", "query.site_id", "body.site_id"], ids(estate.sites)),
        "finding-ids": (["path.finding_id"], ids(estate.findings)),
        "project-ids": (["path.project_id"], ids(estate.projects)),
        "action-ids": (["path.action_id"], ids(estate.actions)),
        "user-ids": (["path.user_id", "query.user_id", "body.user_id"], [str(a.user_id) for a in others]),
        "token-ids": (
            ["path.token_id"],
            [str(a.token_id("spare")) for a in ACCOUNTS] + [str(a.token_id("main")) for a in others],
        ),
        "area-codes": (["query.area", "body.area_code"], [a.code for a in organisation.areas]),
        "region-codes": (
            ["query.region", "body.region_code"],
            [code for area in organisation.areas for code in area.region_codes],
        ),
        "pdu-codes": (["query.pdu", "body.pdu_code"], [p.code for p in organisation.pdus]),
        "versions": (["header.If-Match"], KNOWN_VERSIONS),
    }


# What the scoped run leaves out, and why. The coverage phase (every boundary and every kind of invalid value,
# parameter by parameter: three quarters of all cases) exercises input handling, which does not depend on who
# is signed in: it runs once, as the admin, whom no guard stops before the input is read. The scoped run fuzzes
# every operation with valid and invalid data, which is where an Area leader's answers differ.
ROLE_CONFIG: dict[str, dict[str, Any]] = {"admin": {}, "scoped": {"phases": {"coverage": {"enabled": False}}}}


def schemathesis_config(role: str) -> schemathesis.Config:
    """config/schemathesis.toml, the role's differences, and dictionaries of values that exist (drawn in place
    of generated ones)."""
    data = tomllib.loads(SCHEMATHESIS_CONFIG.read_text())
    for section, values in ROLE_CONFIG[role].items():
        data[section] = _merged(data.get(section, {}), values)
    dictionaries = data.setdefault("dictionaries", {})
    parameters = data.setdefault("parameters", {})
    for name, (bindings, values) in known_values().items():
        if not values:
            continue
        dictionaries[name] = {"values": values}
        for binding in bindings:
            parameters[binding] = {"dictionary": name, "probability": KNOWN_VALUE_PROBABILITY}
    return schemathesis.Config.from_dict(data, base_dir=str(SCHEMATHESIS_CONFIG.parent))


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _merged(merged.get(key, {}), value) if isinstance(value, dict) else value
    return merged


@dataclass
class ContractEnv:
    """One role's database, app, schema and credentials."""

    name: str
    account: Account
    settings: Settings
    app: Litestar
    schema: Any
    document: dict[str, Any]  # the OpenAPI document the schema was loaded from, as the app made it
    token: str = ""
    spare_tokens: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        assert self.token, "the prepared_contract_envs fixture fills the database and signs in"
        return {"Authorization": f"Bearer {self.token}"}

    def disposable_headers(self) -> dict[str, str]:
        """Headers with a token used once, for the operation that revokes the token it is sent with."""
        if not self.spare_tokens:
            self.spare_tokens = asyncio.run(_issue_tokens(self.settings, self.account, count=50))
        return {"Authorization": f"Bearer {self.spare_tokens.pop()}"}


def _settings(database: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        environment="test",
        today_override=TODAY.isoformat(),
        log_json=True,
        log_level="ERROR",
        config_dir=CONFIG_DIR,
        login_attempts_per_minute=1_000_000,
    )


@cache
def contract_envs() -> dict[str, ContractEnv]:
    """The apps and schemas, built when the tests are collected. Nothing touches a database until the
    ``prepared_contract_envs`` fixture migrates and fills one per role; each app's lifespan starts at its first
    request."""
    directory = Path(tempfile.mkdtemp(prefix="risk-register-contract-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    envs = {}
    for name, account in ROLES.items():
        settings = _settings(directory / f"{name}.sqlite3")
        app = Litestar(plugins=[CorePlugin(settings, engine=create_engine(settings, null_pool=True))])
        document = app.openapi_schema.to_schema()
        schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=schemathesis_config(name))
        # What schemathesis.openapi.from_asgi does after fetching the document: calls go to this app in-process.
        schema.app = app
        schema.location = SCHEMA_PATH
        envs[name] = ContractEnv(
            name=name, account=account, settings=settings, app=app, schema=schema, document=document
        )
    return envs


def env_of(case: schemathesis.Case) -> ContractEnv:
    for env in contract_envs().values():
        if case.operation.app is env.app:
            return env
    raise AssertionError(f"no contract app for {case.operation.label}")


async def _issue_tokens(settings: Settings, account: Account, *, count: int) -> list[str]:
    engine = create_engine(settings, null_pool=True)
    try:
        async with async_sessionmaker(engine)() as session:
            tokens = [new_token() for _ in range(count)]
            session.add_all(_token(account, token, name="disposable") for token in tokens)
            await session.commit()
        return tokens
    finally:
        await engine.dispose()


def _token(account: Account, token: str, *, name: str, token_id: UUID | None = None) -> AccessToken:
    return AccessToken(
        **({"id": token_id} if token_id else {}),
        user_id=account.user_id,
        token_hash=token_digest(token),
        name=name,
        kind=TokenKind.PERSONAL,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )


async def _seed(engine: AsyncEngine, settings: Settings) -> dict[Account, str]:
    """The organisation, the estate slice and the accounts, written through the ORM (so the audit trail has
    events to list). Returns each account's main token."""
    estate = contract_estate()
    tokens = {account: new_token() for account in ACCOUNTS}
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await sync_organisation(session, load_organisation(settings.config_dir))
        session.add_all(Site(**row) for row in estate.sites)
        await session.flush()
        session.add_all(AccessibilityFinding(**row) for row in estate.findings)
        session.add_all(RefurbishmentProject(**row) for row in estate.projects)
        session.add_all(RemediationAction(**row) for row in estate.actions)
        await session.flush()
        await refresh_all_accessibility(session, load_estates_rules(settings.config_dir))
        for account in ACCOUNTS:
            session.add(
                User(
                    id=account.user_id,
                    username=account.username,
                    role=account.role,
                    area_code=account.area,
                    is_active=True,
                    full_name=f"Contract {account.role.value}",
                    password_hash=None,
                )
            )
            await session.flush()
            session.add(_token(account, tokens[account], name="main", token_id=account.token_id("main")))
            session.add(_token(account, new_token(), name="spare", token_id=account.token_id("spare")))
        await session.commit()
    return tokens


async def _prepare(env: ContractEnv) -> None:
    engine = create_engine(env.settings, null_pool=True)
    try:
        await upgrade(engine, env.settings)
        env.token = (await _seed(engine, env.settings))[env.account]
    finally:
        await engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis 4.32 names each operation's item ``test_openapi_contract[admin][GET /api/sites]`` but pytest
    9.2 builds the node id from the bare function name: every item would share one id, and pytest-xdist
    (``make test``) would run only the first. Each gets the id its name says."""
    for item in items:
        if getattr(item, "operation_label", None) is None or not isinstance(item, pytest.Function):
            continue
        suffix = item.name.removeprefix(item.originalname)
        node_id = getattr(item, "_id", None)
        if suffix.startswith("[") and suffix.endswith("]") and node_id is not None and node_id.params is None:
            item._id = dataclasses.replace(node_id, params=suffix[1:-1])


@dataclass
class RunStats:
    cases: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)

    def record(self, role: str, case: schemathesis.Case) -> None:
        self.cases[role] += 1
        self.phases[case.meta.phase.name.value if case.meta else "explicit"] += 1
        self.operations.add(case.operation.label)


STATS_KEY = pytest.StashKey[RunStats]()


@pytest.fixture(scope="session")
def prepared_contract_envs() -> Iterator[dict[str, ContractEnv]]:
    """Migrate and fill each role's database (once), and end the apps' lifespans afterwards."""
    envs = contract_envs()
    for env in envs.values():
        asyncio.run(_prepare(env))
    try:
        yield envs
    finally:
        asgi.shutdown_lifespans()


@pytest.fixture(scope="session")
def contract_stats(request: pytest.FixtureRequest) -> RunStats:
    return request.config.stash.setdefault(STATS_KEY, RunStats())


def _summary(stats: RunStats) -> str:
    per_role = ", ".join(f"{role}: {count}" for role, count in sorted(stats.cases.items()))
    per_phase = ", ".join(f"{phase}: {count}" for phase, count in sorted(stats.phases.items()))
    return (
        f"schemathesis: {sum(stats.cases.values())} cases over {len(stats.operations)} operations ({per_role};"
        f" by phase {per_phase})"
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist (``make test``) the controller never loads this conftest, so the worker that ran the
    contract tests writes the summary line to the terminal itself."""
    stats = session.config.stash.get(STATS_KEY, None)
    terminal = sys.__stderr__
    if stats is not None and stats.cases and hasattr(session.config, "workeroutput") and terminal is not None:
        terminal.write(f"\n{_summary(stats)}\n")
        terminal.flush()


def pytest_terminal_summary(terminalreporter: TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    stats = config.stash.get(STATS_KEY, None)
    if stats is not None and stats.cases:
        terminalreporter.write_line(_summary(stats))


# Problem types the server's own input validation answers (core/problems.py, core/errors.py MalformedParameter).
INPUT_VALIDATION_PROBLEMS = frozenset(
    {"urn:risk-register:problem:validation", "urn:risk-register:problem:malformedparameter"}
)


def _problem(response: schemathesis.Response) -> dict[str, Any] | None:
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if media_type != "application/problem+json":
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX_MEDIA_TYPE)
def _xlsx_bytes(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """Spreadsheet uploads are sent as the generated bytes: the import must refuse a file that is not a workbook
    with a 4xx, never a 500."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8", errors="ignore")


def _is_integral_float_refusal(case: schemathesis.Case, error: Any) -> bool:
    """core.schemas.WholeNumber refuses 2.0 on purpose (project convention, asserted by the estates tests),
    though JSON Schema counts 2.0 as an integer, so no schema can say so."""
    if not isinstance(error, dict) or "whole number" not in str(error.get("reason")):
        return False
    value: Any = case.body
    for part in str(error.get("field")).split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return isinstance(value, float) and value.is_integer()


# Operations shown to refuse requests without a token and with a wrong one, per app (that is, per role).
_AUTH_CONFIRMED: dict[int, set[str]] = {}


@schemathesis.check
def ignored_auth_once_per_operation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """schemathesis' ignored_auth (a 2xx answer means the operation is probed without a token and with a wrong
    one, and each must be refused), confirmed once per operation and role, as schemathesis' own runner does."""
    ctx.auth_enforced_operations = _AUTH_CONFIRMED.setdefault(id(case.operation.app), set())
    return ignored_auth(ctx, response, case)


@schemathesis.check
def schema_valid_input_passes_validation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """Input the schema allows gets past the server's own input validation. (positive_data_acceptance accepts
    422 for domain rules JSON Schema cannot state; a 400/422 from validation means schema and server differ.)"""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code not in (400, 422):
        return None
    problem = _problem(response)
    if problem is None or problem.get("type") not in INPUT_VALIDATION_PROBLEMS:
        return None
    errors = problem.get("errors") or []
    if not (errors and all(_is_integral_float_refusal(case, error) for error in errors)):
        raise AssertionError(
            f"Schema-valid input refused by the server's input validation ({response.status_code}): "
            f"{problem.get('detail')}"
        )
    return None


@schemathesis.check
def bad_input_problem_names_the_field(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """DEVELOPERS.md: bad input gets an RFC 9457 problem that names the field and the reason."""
    if response.status_code not in (400, 422):
        return None
    problem = _problem(response)
    assert problem is not None, f"{response.status_code} is not an application/problem+json body"
    errors = problem.get("errors")
    assert isinstance(errors, list), f"{response.status_code} problem has no errors list: {problem}"
    assert errors, f"{response.status_code} problem names no field: {problem}"
    for error in errors:
        assert isinstance(error, dict), f"error is not an object: {error}"
        assert error.get("field"), f"error names no field: {error}"
        assert error.get("reason"), f"error gives no reason: {error}"
    return None
