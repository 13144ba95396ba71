"""Every collection's repository, by name: what the composition root hands to the services."""

from __future__ import annotations

from dataclasses import dataclass, fields

from db.client import Database
from db.repo import Repository


@dataclass(frozen=True)
class Repositories:
    accounts: Repository
    account_emails: Repository
    organisations: Repository
    volunteers: Repository
    needs: Repository
    tasks: Repository
    applications: Repository
    slot_claims: Repository
    time_claims: Repository
    service_records: Repository
    hour_entries: Repository
    hour_decisions: Repository
    rollups: Repository
    rollup_outbox: Repository
    idempotency: Repository
    writes_in_flight: Repository
    changelog: Repository

    @classmethod
    def open(cls, database: Database) -> Repositories:
        return cls(**{f.name: Repository(database, f.name) for f in fields(cls)})
