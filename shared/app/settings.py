"""The one settings object: pydantic-settings from the environment (contract.md, Settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///var/complaints.db"
    rabbitmq_url: str = "amqp://guest:guest@localhost:5672/%2F"
    complaints_policy: Path | None = None
    complaints_tokens: Path = Path("var/tokens.toml")
    complaints_host: str = "127.0.0.1"
    intake_port: int = 8081
    tracker_port: int = 8082
    reporting_port: int = 8083
    dispatcher_port: int = 8084
    # Where the relay listens for "an append just committed" nudges on SQLite
    # (PostgreSQL uses LISTEN/NOTIFY instead). Loopback UDP; a lost nudge only
    # costs the relay's recovery timer.
    relay_wake_port: int = 8085
    relay_recovery_seconds: float = 1.0
    # The relay's own HTTP port: GET /healthz only (the outbox's backlog).
    relay_port: int = 8086
    # The relay's /healthz answers 503 once the oldest unpublished event is older.
    relay_outbox_stale_seconds: float = 60.0
    # Projections catch up on a broker nudge, and on this timer for recovery.
    projection_recovery_seconds: float = 2.0
    # Consumers: a handler that fails this many times is parked on complaints.dead.
    consumer_max_attempts: int = 3
    consumer_prefetch: int = 20
    # The dispatcher looks for registrations its queue never brought, this often.
    dispatcher_sweep_seconds: float = 30.0
    # --- P-9 B: the dispatcher's scheduler looks for warnings, chases and auto-closes due.
    chase_scheduler_seconds: float = 30.0
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
