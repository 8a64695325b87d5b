"""Flask CLI commands: `flask --app bot seed-demo`, `flask --app bot migrate`."""
from __future__ import annotations

import click
from flask import Flask

from bot import ext


def migrate(database_url: str) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    cfg = Config(str(Path(__file__).resolve().parent.parent / "alembic.ini"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "heads")


def register_cli(app: Flask) -> None:
    @app.cli.command("migrate")
    def migrate_cmd():
        """Apply the Alembic migrations to DATABASE_URL."""
        migrate(ext.get().settings.database_url)
        click.echo("migrated")

    @app.cli.command("seed-demo")
    def seed_cmd():
        """Create the demo county (刚察县) if it does not exist."""
        from bot.services.accounts import sync_env_account
        from bot.services.seed import seed_demo

        with ext.get().db.session() as s:
            out = seed_demo(s)
        sync_env_account(ext.get())
        click.echo("seeded" if out["created"] else "already seeded")
