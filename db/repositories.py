"""Every collection's repository, by name: what the composition root hands to the services."""

from __future__ import annotations

from dataclasses import dataclass, fields

from db.client import Database
from db.repo import BATCH_IN, BATCH_POINT, Repository


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
    def open(cls, database: Database, embedded: bool) -> Repositories:
        """Batch reads are one `$in` on MongoDB, concurrent point reads on the embedded engine."""
        batch = BATCH_POINT if embedded else BATCH_IN
        return cls(**{f.name: Repository(database, f.name, batch) for f in fields(cls)})
