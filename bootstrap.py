"""The composition root: builds every repository and service of a process with its collaborators.

Each service names what it needs in its constructor; this is the one place that knows how they
fit together, including which service listens to which change. The HTTP layer and the command
line get the finished `Services`; services themselves never see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from db.changes import ChangeFeed
from db.client import Database
from db.repositories import Repositories
from services.access import AccessPolicy
from services.accounts import AccountService
from services.auth import TokenIssuer, load_or_create_secret
from services.clock import Clock
from services.demo.load import DemoLoader
from services.directory import Directory
from services.engagement.applications import ApplicationService
from services.engagement.attendance import AttendanceService
from services.engagement.locks import KeyedLocks
from services.engagement.seating import Seating
from services.engagement.store import ApplicationStore
from services.hours.decisions import HourDecisions
from services.hours.ledger import HourLedger
from services.hours.rollups import Rollups
from services.hours.tallies import HourTallies
from services.matching import MatchingService
from services.needs import NeedService
from services.organisations import OrganisationService
from services.volunteers import VolunteerService
from services.writes import Writes


@dataclass(frozen=True)
class Services:
    """What the API and the command line use; each field is one service."""

    clock: Clock
    changes: ChangeFeed
    writes: Writes
    access: AccessPolicy
    accounts: AccountService
    organisations: OrganisationService
    volunteers: VolunteerService
    needs: NeedService
    matching: MatchingService
    applications: ApplicationService
    attendance: AttendanceService
    seating: Seating
    ledger: HourLedger
    decisions: HourDecisions
    rollups: Rollups
    tallies: HourTallies
    demo: DemoLoader

    async def start(self) -> None:
        """Derives every in-memory structure from the documents, then follows other processes' writes."""
        await self.changes.start()
        self.writes.start()

    async def stop(self) -> None:
        await self.writes.stop()
        await self.changes.stop()


def build_services(settings: Settings, database: Database, clock: Clock) -> Services:
    repos = Repositories.open(database)
    changes = ChangeFeed(
        repos.changelog,
        sources={
            "organisation": repos.organisations,
            "need": repos.needs,
            "task": repos.tasks,
            "volunteer": repos.volunteers,
            "assignment": repos.applications,
            "service": repos.service_records,
        },
    )
    directory = Directory()
    access = AccessPolicy(directory, repos.applications)
    writes = Writes(repos.writes_in_flight, repos.idempotency, clock, sole_process=settings.embedded)
    tokens = TokenIssuer(
        load_or_create_secret(settings.jwt_secret, settings.data_dir), settings.token_ttl_seconds, clock
    )

    accounts = AccountService(repos.accounts, repos.account_emails, access, tokens, writes, clock)
    organisations = OrganisationService(
        repos.organisations, repos.needs, accounts, access, directory, tokens, writes, changes, clock
    )
    volunteers = VolunteerService(repos.volunteers, accounts, tokens, writes, changes, clock)
    needs = NeedService(repos.needs, repos.tasks, access, writes, changes, clock, settings.recurrence_horizon_days)
    matching = MatchingService(repos.volunteers, repos.tasks, repos.applications, repos.service_records, access, clock)

    locks = KeyedLocks()
    store = ApplicationStore(repos.applications, clock)
    seating = Seating(repos.slot_claims, repos.time_claims, repos.applications, repos.tasks, locks, changes, clock)
    applications = ApplicationService(
        store, seating, repos.tasks, repos.needs, repos.volunteers, access, locks, changes, clock
    )
    ledger = HourLedger(repos.hour_entries, repos.tasks, repos.volunteers, directory, access, writes, clock)
    attendance = AttendanceService(
        store,
        repos.tasks,
        repos.service_records,
        ledger,
        access,
        writes,
        locks,
        changes,
        clock,
        settings.checkin_radius_m,
    )
    rollups = Rollups(repos.rollups, repos.hour_entries, repos.hour_decisions, repos.rollup_outbox)
    decisions = HourDecisions(repos.hour_entries, repos.hour_decisions, ledger, rollups, access, writes, clock)
    tallies = HourTallies(rollups, repos.volunteers, directory, access, clock)

    # Who follows which change, in this process and (through the change log) in the others.
    changes.subscribe("organisation", directory.put_org)
    changes.subscribe("need", directory.put_need)
    changes.subscribe("volunteer", matching.on_volunteer)
    changes.subscribe("task", matching.on_task)
    changes.subscribe("assignment", matching.on_assignment)
    changes.subscribe("service", matching.on_service)
    # What is finished or derived again from the documents at start-up, in this order: writes a
    # crash cut off first, so nothing derived ever sees them half-made.
    changes.on_rebuild(writes.sweep)
    changes.on_rebuild(organisations.load_directory)
    changes.on_rebuild(matching.rebuild)
    changes.on_rebuild(rollups.repair)

    return Services(
        clock=clock,
        changes=changes,
        writes=writes,
        access=access,
        accounts=accounts,
        organisations=organisations,
        volunteers=volunteers,
        needs=needs,
        matching=matching,
        applications=applications,
        attendance=attendance,
        seating=seating,
        ledger=ledger,
        decisions=decisions,
        rollups=rollups,
        tallies=tallies,
        demo=DemoLoader(accounts, organisations, needs, volunteers, clock),
    )
