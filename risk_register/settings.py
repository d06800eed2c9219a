"""All runtime settings in one place, read from the environment with the prefix ``RISK_REGISTER_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RISK_REGISTER_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'risk_register.sqlite3'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    database_echo: bool = False
    database_pool_size: int = 10
    config_dir: Path = PROJECT_ROOT / "config"
    environment: Literal["development", "test", "production"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    demo_mode: bool = False
    cors_allow_origins: list[str] = Field(default_factory=list)
    max_page_size: int = 500
    default_page_size: int = 50
    session_token_hours: int = Field(default=12, ge=1, le=24 * 14)
    max_token_days: int = Field(default=365, ge=1, le=3650)
    login_attempts_per_minute: int = Field(default=10, ge=1)
    token_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="How long a verified bearer token is trusted without a lookup (0: look up every request). "
        "Exact within a process; a revocation made by another process takes effect within this time.",
    )
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Fix "today" for reproducible demos and tests; None means the real date.
    today_override: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
