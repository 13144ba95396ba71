"""All configuration, read from the environment in one place (`Settings.from_env`).

Nothing else reads `os.environ`. The composition root (`bootstrap.py`) hands each service the
values it needs as constructor arguments, so services never import this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Limits:
    """What one request may ask for: checked before any resolver runs."""

    max_body_bytes: int = 256 * 1024
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_nodes: int = 10_000  # objects a query could return: pages' `first` multiplied down the nesting


@dataclass(frozen=True)
class Settings:
    mongodb_uri: str | None = None
    database_name: str = "volunteer_match"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = ROOT / "data"
    engine_binary: Path = ROOT / ".cache" / "engine" / "vm-engine"
    jwt_secret: str | None = None
    token_ttl_seconds: int = 7 * 24 * 3600
    request_db_seconds: float = 15.0  # every database call of one request shares this deadline
    access_log: bool = False
    limits: Limits = field(default_factory=Limits)
    recurrence_horizon_days: int = 90
    checkin_radius_m: int = 300
    crash_points: bool = False  # tests only: requests may name a point where the process dies

    @property
    def embedded(self) -> bool:
        return not self.mongodb_uri

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        values: dict = {
            "mongodb_uri": env.get("MONGODB_URI") or None,
            "database_name": env.get("MONGODB_DATABASE", cls.database_name),
            "host": env.get("HOST", cls.host),
            "port": int(env.get("PORT", cls.port)),
            "data_dir": Path(env.get("DATA_DIR", ROOT / "data")),
            "engine_binary": Path(env.get("VM_ENGINE_BINARY", ROOT / ".cache" / "engine" / "vm-engine")),
            "jwt_secret": env.get("JWT_SECRET") or None,
            "request_db_seconds": float(env.get("REQUEST_DB_SECONDS", cls.request_db_seconds)),
            "access_log": env.get("ACCESS_LOG", "") not in ("", "0", "false"),
            "checkin_radius_m": int(env.get("CHECKIN_RADIUS_M", cls.checkin_radius_m)),
            "crash_points": env.get("VM_CRASH_POINTS", "") == "1",
        }
        values.update(overrides)
        return cls(**values)
