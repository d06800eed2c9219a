"""The `risk-register` command: Litestar's CLI (run, routes, schema, database ...) plus our own commands."""

from __future__ import annotations

import asyncio
import os
import sys

import click

from risk_register.accounts.roles import Role


def main() -> None:
    os.environ.setdefault("LITESTAR_APP", "risk_register.app:create_app")
    from litestar.cli.main import litestar_group

    sys.exit(litestar_group(prog_name="risk-register"))


def register_commands(cli: click.Group) -> None:
    cli.add_command(migrate)
    cli.add_command(demo)
    cli.add_command(create_user)
    cli.add_command(serve)


@click.command(help="Serve the API with uvicorn; every log line is structured JSON (no plain access log).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    # The app's structlog middleware logs each request with its request id; uvicorn's own access log would
    # repeat it as plain text, so it is off, and uvicorn's other lines are kept to warnings.
    uvicorn.run(
        "risk_register.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
    )


@click.command(help="Bring the database schema up to date (Alembic upgrade to the latest revision).")
def migrate() -> None:
    from risk_register.db.config import create_engine
    from risk_register.db.migrate import upgrade
    from risk_register.settings import get_settings

    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings, null_pool=True)
        try:
            await upgrade(engine, settings)
        finally:
            await engine.dispose()

    asyncio.run(run())
    click.echo("database is at the latest revision")


@click.group(help="Demo data.")
def demo() -> None:
    pass


@demo.command(name="load", help="Fill the database with a deterministic demo estate.")
@click.option(
    "--scale",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Multiple of the real estate's size (1, 10, 100 for benchmarks).",
)
@click.option("--seed", type=int, default=20250401, show_default=True)
@click.option("--force", is_flag=True, help="Load even if the database already has sites.")
def demo_load(scale: int, seed: int, force: bool) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from risk_register.core.clock import today
    from risk_register.db.config import create_engine
    from risk_register.db.migrate import refresh_statistics
    from risk_register.demo.loader import load_demo
    from risk_register.estates.rules import load_estates_rules
    from risk_register.organisation.reference import load_organisation
    from risk_register.settings import get_settings

    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings, null_pool=True)
        try:
            async with async_sessionmaker(engine)() as session:
                result = await load_demo(
                    session,
                    load_organisation(settings.config_dir),
                    load_estates_rules(settings.config_dir),
                    scale=scale,
                    seed=seed,
                    today=today(settings),
                    only_if_empty=not force,
                )
                await session.commit()
            await refresh_statistics(engine)
        finally:
            await engine.dispose()
        if result.skipped:
            click.echo(f"database already has {result.sites} sites: demo data not loaded (use --force)")
        else:
            click.echo(
                f"loaded demo estate x{scale}: {result.sites} sites, {result.findings} accessibility "
                f"findings, {result.projects} refurbishment projects, {result.actions} remediation actions"
            )

    asyncio.run(run())


@click.command(name="create-user", help="Create a user. The password is read from standard input (one line).")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--area", default=None, help="Area code, for an Area leader or an Area H&S lead")
@click.option("--full-name", default=None)
@click.option("--machine", is_flag=True, help="A machine account: no password, tokens only (stdin is not read)")
def create_user(username: str, role: str, area: str | None, full_name: str | None, machine: bool) -> None:
    from pydantic import ValidationError
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from risk_register.accounts.schemas import UserCreate
    from risk_register.accounts.services import UserService
    from risk_register.core.errors import DomainError
    from risk_register.db.config import create_engine
    from risk_register.organisation.reference import load_organisation
    from risk_register.organisation.services import sync_organisation
    from risk_register.settings import get_settings

    password = None if machine else sys.stdin.readline().rstrip("\r\n")
    try:
        data = UserCreate(username=username, role=Role(role), area_code=area, full_name=full_name, password=password)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(reasons) from exc
    settings = get_settings()
    organisation = load_organisation(settings.config_dir)

    async def run() -> None:
        engine = create_engine(settings, null_pool=True)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                await sync_organisation(session, organisation)
                await UserService(session=session).create_user(
                    username=data.username,
                    role=data.role,
                    area_code=data.area_code,
                    password=data.password,
                    full_name=data.full_name,
                    organisation=organisation,
                )
                await session.commit()
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created {role} {username}" + (f" ({area})" if area else ""))
