"""Every organisation in memory, plus the ids of each organisation's needs.

A city has ~10 k organisations: small enough to hold whole, and they answer the hot questions
(is this coordinator's organisation above that one? what lies under region 421024?) without a
query, which matters on FerretDB where only `_id` equality reaches SQLite. The database stays the
source of truth: `OrganisationService.load_directory` rebuilds it, writes update it at once, and
the change feed brings other processes' writes.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

STATIONS = ("CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION", "VILLAGE_ROOM")


def region_prefix(code: str) -> str:
    """421000 (a city) contains 421024…; trailing zero pairs of a 6-digit code are its level."""
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


def region_contains(outer: str, inner: str) -> bool:
    return inner.startswith(region_prefix(outer))


class Directory:
    def __init__(self) -> None:
        self.orgs: dict[str, dict] = {}
        self._sorted_ids: list[str] = []
        self._needs_by_org: dict[str, list[str]] = defaultdict(list)

    def put_org(self, doc: dict) -> None:
        if doc["_id"] not in self.orgs:
            bisect.insort(self._sorted_ids, doc["_id"])
        self.orgs[doc["_id"]] = doc

    def put_need(self, need: dict) -> None:
        ids = self._needs_by_org[need["organisation_id"]]
        i = bisect.bisect_left(ids, need["_id"])
        if i == len(ids) or ids[i] != need["_id"]:
            ids.insert(i, need["_id"])

    def need_ids(self, org_id: str) -> list[str]:
        return self._needs_by_org.get(org_id, [])

    def get(self, org_id: str | None) -> dict | None:
        return self.orgs.get(org_id) if org_id else None

    def sorted_ids(self) -> list[str]:
        return self._sorted_ids

    def manages(self, organisation_ids: Iterable[str], org_id: str) -> bool:
        """A coordinator acts for the organisations they coordinate and everything below them."""
        org = self.orgs.get(org_id)
        return org is not None and any(a in org["path"] for a in organisation_ids)

    def subtree(self, root_id: str) -> list[str]:
        return [i for i, o in self.orgs.items() if root_id in o["path"]]

    def station_names_by_region(self) -> dict[str, str]:
        """The name of the station that serves exactly each region code."""
        return {o["region_code"]: o["name"] for o in self.orgs.values() if o["kind"] in STATIONS}
