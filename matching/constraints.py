"""Hard-constraint feasibility: which volunteer rows may take a task, which task rows a volunteer may take.

Every result of the index passes all of these (the list is the one in `matching.index`):
- skills: every required skill held at >= its min_level (bit plane L of a row holds the skills at
  level > L, so a task's plane L must be a subset of the volunteer's);
- credentials: every required credential expires on or after the task's last local date;
- distance (great circle) <= the volunteer's travel radius, and <= the search radius;
- availability: every weekly hour slot the task touches (3 x 64-bit words of 168 slots) is in the
  volunteer's availability, except for emergency responders on EMERGENCY tasks; no local date of the
  task (first to last local day) is one of the volunteer's blackout days;
- commitments: no overlap with a commitment the volunteer holds (half-open, whole seconds), not
  already committed to this task, and seconds committed inside the local ISO week of the task's
  start + the task's duration <= the volunteer's weekly maximum.
Cheap bit tests (skills, credentials, availability) run first and drop rows before distances,
blackouts and commitments.
"""

from types import SimpleNamespace

import numpy as np

from . import geo
from . import timeutil as tu
from .commitments import Commitments
from .parse import EMERGENCY, N_CRED, N_LEVELS
from .table import expand_ranges
from .tasks import TaskTable
from .volunteers import VolunteerTable


def _blackout_hits(vols: VolunteerTable, rows: np.ndarray, first_day: int, last_day: int) -> np.ndarray:
    V = vols.table.cols
    hits = np.zeros(len(rows), dtype=np.bool_)
    cnt = V["b_count"][rows]
    sel = np.flatnonzero(cnt)
    if len(sel):
        lens = cnt[sel].astype(np.int64)
        st = V["b_start"][rows[sel]]
        days = vols.bdays[expand_ranges(st, st + lens)]
        hit = (days >= first_day) & (days <= last_day)
        seg = np.repeat(np.arange(len(sel)), lens)
        hits[sel[seg[hit]]] = True
    return hits


def _commitment_conflicts(
    vols: VolunteerTable, commitments: Commitments, rows: np.ndarray, t: SimpleNamespace
) -> np.ndarray:
    """Volunteers (rows) who hold this task, overlap it, or would exceed their weekly cap."""
    V = vols.table.cols
    keys = V["vkey"][rows]
    bad = np.zeros(len(rows), dtype=np.bool_)
    holders = commitments.holders(t.tid)
    if holders:
        bad |= np.isin(keys, np.fromiter(holders, dtype=np.int64))
    committed: np.ndarray = np.zeros(len(rows))
    pos, pkeys = commitments.week_positions(range(tu.iso_week(t.start), tu.iso_week(max(t.start, t.end - 1)) + 1))
    if len(pos):
        lo = np.searchsorted(pkeys, keys, side="left")
        hi = np.searchsorted(pkeys, keys, side="right")
        sel = np.flatnonzero(hi > lo)
        ci = np.repeat(sel, (hi - lo)[sel])
        pos = pos[expand_ranges(lo[sel], hi[sel])]
        live = commitments.alive[pos]
        pos, ci = pos[live], ci[live]
        cs, ce = commitments.start[pos], commitments.end[pos]
        bad[ci[(cs < t.end) & (ce > t.start)]] = True
        ws = tu.week_start(t.week)
        secs = np.clip(np.minimum(ce, ws + tu.WEEK_S) - np.maximum(cs, ws), 0, None)
        committed = np.bincount(ci, weights=secs, minlength=len(rows))
    bad |= committed + t.dur > V["max_sec"][rows]
    return bad


def feasible_volunteers(
    vols: VolunteerTable, commitments: Commitments, t: SimpleNamespace, rows: np.ndarray, search_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """The rows that satisfy every hard constraint for task t, with their distances."""
    V = vols.table.cols
    ok = V["alive"][rows].copy()
    for level in range(N_LEVELS):
        need = t.p[level]
        if need:
            ok &= (V[f"p{level}"][rows] & need) == need
    for c in range(N_CRED):
        if t.cred >> c & 1:
            ok &= V[f"c{c}"][rows] >= t.last_day
    avail = np.ones(len(rows), dtype=np.bool_)
    for w in range(3):
        m = t.m[w]
        if m:
            avail &= (V[f"a{w}"][rows] & m) == m
    if t.urgency == EMERGENCY:
        avail |= V["responder"][rows]
    ok &= avail
    rows = rows[ok]
    d = geo.great_circle_km(t.sin_lat, t.cos_lat, t.lng_rad, V["sin_lat"][rows], V["cos_lat"][rows], V["lng_rad"][rows])
    near = (d <= V["radius"][rows]) & (d <= search_km)
    rows, d = rows[near], d[near]
    ok = np.ones(len(rows), dtype=np.bool_)
    if len(rows):
        ok &= ~_blackout_hits(vols, rows, t.first_day, t.last_day)
        ok &= ~_commitment_conflicts(vols, commitments, rows, t)
    return rows[ok], d[ok]


def feasible_tasks(
    tasks: TaskTable, commitments: Commitments, v: SimpleNamespace, rows: np.ndarray, now_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """The task rows volunteer v (a `VolunteerTable.ctx`) may take, open and starting after `now_s`,
    with their distances."""
    T = tasks.table.cols
    ok = T["alive"][rows] & T["open"][rows] & (T["start"][rows] > now_s)
    for level in range(N_LEVELS):
        tp = T[f"p{level}"][rows]
        ok &= (tp & v.p[level]) == tp
    cred = T["cred"][rows]
    last = T["last_day"][rows]
    for c in range(N_CRED):
        ok &= (((cred >> c) & 1) == 0) | (v.c[c] >= last)
    avail = np.ones(len(rows), dtype=np.bool_)
    for w in range(3):
        m = T[f"m{w}"][rows]
        avail &= (m & v.a[w]) == m
    if v.responder:
        avail |= T["urgency"][rows] == EMERGENCY
    ok &= avail
    rows = rows[ok]
    d = geo.great_circle_km(T["sin_lat"][rows], T["cos_lat"][rows], T["lng_rad"][rows], v.sin_lat, v.cos_lat, v.lng_rad)
    ok = d <= v.radius
    rows, d = rows[ok], d[ok]
    if not len(rows):
        return rows, d
    if len(v.blackouts):
        b = np.sort(v.blackouts)
        n_hit = np.searchsorted(b, T["last_day"][rows], side="right") - np.searchsorted(
            b, T["first_day"][rows], side="left"
        )
        rows, d = rows[n_hit == 0], d[n_hit == 0]
    start, end = T["start"][rows], T["end"][rows]
    ws = (7 * T["week"][rows].astype(np.int64) - 3) * tu.DAY_S - tu.OFFSET_S
    committed = np.zeros(len(rows), dtype=np.int64)
    ok = np.ones(len(rows), dtype=np.bool_)
    held = commitments.held(v.vkey)
    for pos in held.values():
        cs, ce = int(commitments.start[pos]), int(commitments.end[pos])
        ok &= ~((cs < end) & (ce > start))
        committed += np.clip(np.minimum(ce, ws + tu.WEEK_S) - np.maximum(cs, ws), 0, None)
    if held:
        ok &= ~np.isin(T["tid"][rows], np.array(list(held), dtype="S12"))
    ok &= committed + (end - start) <= v.max_sec
    return rows[ok], d[ok]
