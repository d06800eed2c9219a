"""The `risk-register` command: Litestar's CLI (run, routes, schema, database ...) plus our own commands."""

from __future__ import annotations

import asyncio
import os
import sys

import click


def main() -> None:
    os.environ.setdefault("LITESTAR_APP", "risk_register.app:create_app")
    from litestar.cli.main import litestar_group

    sys.exit(litestar_group(prog_name="risk-register"))


def register_commands(cli: click.Group) -> None:
    cli.add_command(migrate)
    cli.add_command(demo)


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
