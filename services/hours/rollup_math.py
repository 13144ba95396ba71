"""Rollup arithmetic: pure, shared by the live path and the rebuild so both give the same documents.

Rollup documents are keyed `<node>|<month>[|org|reg|b<bucket>]`, where a node is an organisation
(`o:<id>`, every organisation on the entry's path), a region prefix (`r:<prefix>`, province to
village) or a volunteer (`v:<id>`). Each holds verified minutes `m`, entries `e` and distinct
volunteers `v`, overall and per category, organisation and region (docs/hours.md).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.directory import region_prefix

ROSTER_BUCKETS = 16
REGION_LEVELS = (2, 4, 6, 9, 12)


def region_nodes(code: str) -> list[str]:
    """Rollup nodes of a region code: province, city, county, township, village prefixes."""
    p = region_prefix(code)
    return [f"r:{p[:n]}" for n in REGION_LEVELS if n <= len(p)]


def roster_bucket(volunteer_id: str) -> int:
    return zlib.crc32(volunteer_id.encode()) % ROSTER_BUCKETS


@dataclass(frozen=True)
class Fact:
    """What a verified entry (or an aggregate of them) adds to the rollups."""

    volunteer_id: str
    month: str
    organisation_id: str
    org_path: tuple[str, ...]
    category: str
    region_code: str
    minutes: int
    entries: int

    @classmethod
    def of(cls, entry: dict) -> Fact:
        return cls(
            entry["volunteer_id"],
            entry["month"],
            entry["organisation_id"],
            tuple(entry["org_path"]),
            entry["category"],
            entry["region_code"],
            entry["minutes"],
            0 if entry["source"] == "CORRECTION" else 1,
        )

    @property
    def combo(self) -> str:
        return f"{self.organisation_id}~{self.category}~{self.region_code}"

    def nodes(self) -> list[str]:
        return [*(f"o:{i}" for i in self.org_path), *region_nodes(self.region_code)]


def _contains(node: str, org_path: Iterable[str], region_code: str) -> bool:
    kind, value = node[0], node[2:]
    return value in org_path if kind == "o" else region_prefix(region_code).startswith(value)


def contributions(fact: Fact, combos: dict[str, str]) -> tuple[dict[str, dict[str, int]], dict[str, dict]]:
    """($inc, $set) per rollup document for one fact.

    `combos` holds the (organisation, category, region) combinations the volunteer already has in
    the fact's month (combo key → organisation path), which decides whether the volunteer is new
    to each distinct-volunteer counter.
    """
    seen = []
    for key, path in combos.items():
        org, cat, region = key.split("~")
        seen.append((org, cat, region, path.split(",")))
    incs: dict[str, dict[str, int]] = defaultdict(dict)
    sets: dict[str, dict] = {}
    f = fact

    def add(doc_id: str, prefix: str, new: bool) -> None:
        doc = incs[doc_id]
        doc[f"{prefix}m"] = doc.get(f"{prefix}m", 0) + f.minutes
        doc[f"{prefix}e"] = doc.get(f"{prefix}e", 0) + f.entries
        if new:
            doc[f"{prefix}v"] = doc.get(f"{prefix}v", 0) + 1

    def group(base: str, mine: list, split: bool) -> None:
        add(base, "", not mine)
        add(base, f"cat.{f.category}.", not any(x[1] == f.category for x in mine))
        add(
            f"{base}|org" if split else base,
            f"org.{f.organisation_id}.",
            not any(x[0] == f.organisation_id for x in mine),
        )
        add(f"{base}|reg" if split else base, f"reg.{f.region_code}.", not any(x[2] == f.region_code for x in mine))

    for node in f.nodes():
        group(f"{node}|{f.month}", [x for x in seen if _contains(node, x[3], x[2])], split=True)
        add(f"{node}|{f.month}|b{roster_bucket(f.volunteer_id)}", f"vols.{f.volunteer_id}.", False)
    own = f"v:{f.volunteer_id}|{f.month}"
    group(own, seen, split=False)
    if f.combo not in combos:
        sets[own] = {f"combos.{f.combo}": ",".join(f.org_path)}
    add(f"v:{f.volunteer_id}|all", "", False)
    return incs, sets


def merge(into_incs: dict, into_sets: dict, incs: dict, sets: dict) -> None:
    for doc_id, fields in incs.items():
        target = into_incs[doc_id]
        for k, value in fields.items():
            target[k] = target.get(k, 0) + value
    for doc_id, fields in sets.items():
        into_sets.setdefault(doc_id, {}).update(fields)


def _nested(doc: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
    doc[leaf] = value


def compute_rollups(facts: Iterable[Fact]) -> dict[str, dict]:
    """Every rollup document from scratch (what `rebuild_rollups` writes).

    Independent of `contributions`: sums and sets of volunteers instead of "is this volunteer new"
    decisions, so the rebuild-equals-live test checks one against the other.
    """
    totals: dict[tuple, list[int]] = {}
    for f in facts:
        key = (f.volunteer_id, f.month, f.organisation_id, f.org_path, f.category, f.region_code)
        acc = totals.setdefault(key, [0, 0])
        acc[0] += f.minutes
        acc[1] += f.entries
    sums: dict[tuple[str, str], list[int]] = {}
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    combos: dict[str, dict[str, str]] = defaultdict(dict)
    node_cache: dict[tuple, list[str]] = {}

    def count(doc_id: str, prefix: str, vol: str, m: int, e: int, distinct: bool = True) -> None:
        acc = sums.get((doc_id, prefix))
        if acc is None:
            acc = sums[(doc_id, prefix)] = [0, 0]
        acc[0] += m
        acc[1] += e
        if distinct:
            members[(doc_id, prefix)].add(vol)

    for (vol, month, org, path, cat, region), (m, e) in totals.items():
        nodes = node_cache.get((path, region))
        if nodes is None:
            nodes = node_cache[(path, region)] = [*(f"o:{i}" for i in path), *region_nodes(region)]
        bucket = roster_bucket(vol)
        for base, split in [*((f"{n}|{month}", True) for n in nodes), (f"v:{vol}|{month}", False)]:
            count(base, "", vol, m, e)
            count(base, f"cat.{cat}.", vol, m, e)
            count(f"{base}|org" if split else base, f"org.{org}.", vol, m, e)
            count(f"{base}|reg" if split else base, f"reg.{region}.", vol, m, e)
        for n in nodes:
            count(f"{n}|{month}|b{bucket}", f"vols.{vol}.", vol, m, e, distinct=False)
        count(f"v:{vol}|all", "", vol, m, e, distinct=False)
        combos[f"v:{vol}|{month}"][f"{org}~{cat}~{region}"] = ",".join(path)
    docs: dict[str, dict] = {}
    for (doc_id, prefix), (m, e) in sums.items():
        doc = docs.get(doc_id)
        if doc is None:
            doc = docs[doc_id] = {"_id": doc_id}
        _nested(doc, f"{prefix}m", m)
        _nested(doc, f"{prefix}e", e)
        if (doc_id, prefix) in members:
            _nested(doc, f"{prefix}v", len(members[(doc_id, prefix)]))
    for doc_id, mine in combos.items():
        docs[doc_id]["combos"] = mine
    return docs
