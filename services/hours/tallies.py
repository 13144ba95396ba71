"""Tallies: verified hours of a scope over whole months, grouped, read from rollup documents by `_id`.

A scope is an organisation and its subtree (`o`), a region and everything under it (`r`) or one
volunteer (`v`). Every grouping of a scope sums to the scope's total (tested by properties).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from db.repo import Repository
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import Clock, local_today
from services.directory import Directory, region_prefix
from services.errors import Collector, ErrorCode, not_found
from services.hours.rollup_math import ROSTER_BUCKETS
from services.hours.rollups import Rollups
from services.hours.rules import CATEGORY_LABELS

GROUPS = ("VOLUNTEER", "ORGANISATION", "REGION", "CATEGORY", "MONTH")
MAX_RANGE_MONTHS = 120


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    minutes: int
    entries: int
    volunteers: int


@dataclass(frozen=True)
class Scope:
    """One of: an organisation and its subtree (`o`), a region and all under it (`r`), a volunteer (`v`)."""

    kind: str
    value: str

    @property
    def node(self) -> str:
        return f"r:{region_prefix(self.value)}" if self.kind == "r" else f"{self.kind}:{self.value}"


class HourTallies:
    def __init__(
        self,
        rollups: Rollups,
        volunteers: Repository,
        directory: Directory,
        access: AccessPolicy,
        clock: Clock,
    ) -> None:
        self.rollups = rollups
        self.volunteers = volunteers
        self.directory = directory
        self.access = access
        self.clock = clock

    async def tallies(
        self, viewer: Viewer | None, scope: Scope, group_by: str, start: date | None, end: date | None
    ) -> list[Tally]:
        months = self.months(start, end)
        if scope.kind == "r":
            c = Collector()
            v.region_code(c, scope.value, "scope")
            c.raise_if_any()
        self.access.require_hours_scope(viewer, scope.kind, scope.value)
        if scope.kind == "v" and await self.volunteers.get(scope.value) is None:
            raise not_found("volunteer", "scope", "volunteerId")
        node = scope.node
        if group_by == "VOLUNTEER":
            return await self._by_volunteer(scope, node, months)
        # Organisation and region breakdowns of organisation and region nodes have documents of their own
        # (they can have hundreds of keys, and FerretDB reads a document in time linear in its fields).
        split = scope.kind != "v"
        suffix = {"ORGANISATION": "|org", "REGION": "|reg"}.get(group_by, "") if split else ""
        docs = [d for d in await self.rollups.get_many([f"{node}|{m}{suffix}" for m in months]) if d]
        if group_by == "MONTH":
            return [
                Tally(
                    d["_id"].rsplit("|", 1)[1], _month_label(d["_id"].rsplit("|", 1)[1]), d["m"], d["e"], d.get("v", 0)
                )
                for d in docs
            ]
        field = {"CATEGORY": "cat", "ORGANISATION": "org", "REGION": "reg"}[group_by]
        sums: dict[str, list[int]] = {}
        for d in docs:
            for key, g in d.get(field, {}).items():
                acc = sums.setdefault(key, [0, 0, 0])
                acc[0] += g["m"]
                acc[1] += g["e"]
                acc[2] += g.get("v", 0)
        label = self._labeller(field)
        return _ordered([Tally(k, label(k), acc[0], acc[1], acc[2]) for k, acc in sums.items()])

    async def total(self, scope: Scope, start: date | None, end: date | None) -> Tally:
        """The scope's own counters summed over the months (no authorization: for internal use)."""
        node = scope.node
        docs = [d for d in await self.rollups.get_many([f"{node}|{m}" for m in self.months(start, end)]) if d]
        return Tally(node, node, sum(d["m"] for d in docs), sum(d["e"] for d in docs), sum(d.get("v", 0) for d in docs))

    async def _by_volunteer(self, scope: Scope, node: str, months: list[str]) -> list[Tally]:
        sums: dict[str, list[int]] = {}
        if scope.kind == "v":
            for d in await self.rollups.get_many([f"{node}|{m}" for m in months]):
                if d:
                    acc = sums.setdefault(scope.value, [0, 0, 1])
                    acc[0] += d["m"]
                    acc[1] += d["e"]
        else:
            ids = [f"{node}|{m}|b{b}" for m in months for b in range(ROSTER_BUCKETS)]
            for d in await self.rollups.get_many(ids):
                for vid, g in (d or {}).get("vols", {}).items():
                    acc = sums.setdefault(vid, [0, 0, 1])
                    acc[0] += g["m"]
                    acc[1] += g["e"]
        names = dict(zip(sums, await self.volunteers.get_many(list(sums))))
        return _ordered([Tally(k, (names.get(k) or {}).get("name", k), *acc) for k, acc in sums.items()])

    def months(self, start: date | None, end: date | None) -> list[str]:
        """Tallies count whole calendar months (local time) from `start`'s month to `end`'s."""
        c = Collector()
        if start is not None:
            start = v.day(c, start, "from")
        if end is not None:
            end = v.day(c, end, "to")
        c.raise_if_any()
        if end is None:
            end = _month_end(start or local_today(self.clock))
        if start is None:
            start = end.replace(day=1)
        c.check(
            start.day == 1,
            "tallies count whole months: start on the first day of a month",
            "from",
            code=ErrorCode.INVALID_RANGE,
        )
        c.check(
            end == _month_end(end),
            "tallies count whole months: end on the last day of a month",
            "to",
            code=ErrorCode.INVALID_RANGE,
        )
        c.check(start <= end, "from must not be after to", "from", code=ErrorCode.INVALID_RANGE)
        span = (end.year - start.year) * 12 + end.month - start.month + 1
        c.check(
            span <= MAX_RANGE_MONTHS,
            f"a tally covers at most {MAX_RANGE_MONTHS} months",
            "to",
            code=ErrorCode.INVALID_RANGE,
        )
        c.raise_if_any()
        months, y, m = [], start.year, start.month
        for _ in range(span):
            months.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return months

    def _labeller(self, field: str) -> Callable[[str], str]:
        """Labels of a grouping's keys; the region names are only gathered when regions are asked for."""
        if field == "cat":
            return lambda k: CATEGORY_LABELS.get(k, k)
        if field == "org":
            return self._org_label
        return self._region_labeller()

    def _org_label(self, org_id: str) -> str:
        org = self.directory.get(org_id)
        return org["name"] if org else org_id

    def _region_labeller(self) -> Callable[[str], str]:
        """A region is labelled with the name of the station that serves exactly that code."""
        names = self.directory.station_names_by_region()
        return lambda code: names.get(code, code)


def _month_end(d: date) -> date:
    first_next = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _month_label(month: str) -> str:
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def _ordered(tallies: list[Tally]) -> list[Tally]:
    return sorted(tallies, key=lambda t: (-t.minutes, t.key))
