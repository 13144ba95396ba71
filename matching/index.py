"""The in-memory matching index: volunteers and tasks as numpy columns, a lat/lng grid for space.

Hard constraints (a result never breaks one):
- every required skill at >= its min_level;
- every required credential valid (expires_on >= date) on the task's last local date;
- distance <= the volunteer's travel radius and <= the search radius;
- every weekly hour slot the task touches (local time) is in the volunteer's availability, except
  for emergency responders on EMERGENCY tasks; no local date of the task is a blackout date;
- no overlap with a commitment the volunteer holds (half-open intervals; back-to-back is fine);
- hours committed in the local ISO week of the task's start + the task's hours <= max per week.
"""

import math
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from types import SimpleNamespace

import numpy as np

from . import geo
from . import timeutil as tu
from .catalogue import CATEGORIES, LANGUAGES, MAX_LEVEL, MIN_LEVEL, SKILLS
from .errors import UnknownTask, UnknownVolunteer
from .parse import (CATEGORY_CODE, EMERGENCY, N_CRED, N_LEVELS, N_SKILLS, NOT_LISTED,
                    RADIUS_CLASSES, SKILL_BIT, TASK_SCHEMA, VOLUNTEER_SCHEMA, id_bytes,
                    parse_tasks, parse_volunteers)
from .results import OpenTaskHit, OpenTasksPage, TaskMatch, VolunteerMatch
from .scoring import BENEFICIARY_WORD, DEFAULT_WEIGHTS, Weights, proximity, reasons, score
from .table import Table, expand_ranges

LEVEL_SPAN = MAX_LEVEL - MIN_LEVEL
_RING_GROWTH = 4.0  # the threshold search's radius: 1 km, then this factor per ring
_N_GROUPS = len(RADIUS_CLASSES) + 1


def _grow(arr: np.ndarray, size: int, fill=0) -> np.ndarray:
    if size <= len(arr):
        return arr
    new = np.full(max(size, int(len(arr) * 1.25) + 1024), fill, dtype=arr.dtype)
    new[:len(arr)] = arr
    return new


def _approx_size(obj, sample: int = 200) -> int:
    """Bytes of a dict/set/list of small objects, extrapolated from a sample of its items."""
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (set, list, tuple)):
        items = obj
    else:
        return size
    n = len(obj)
    if n == 0:
        return size
    taken = 0
    part = 0
    for item in items:
        if isinstance(item, tuple) and isinstance(obj, dict):
            part += sum(_approx_size(x, sample) for x in item)
        else:
            part += _approx_size(item, sample)
        taken += 1
        if taken >= sample:
            break
    return size + int(part * n / taken)


def _hex(b) -> str:
    return bytes(b).ljust(12, b"\0").hex()


def _top(key: np.ndarray, ids: np.ndarray, first: int) -> np.ndarray:
    """Positions of the `first` largest keys, ties broken by ascending id."""
    n = len(key)
    if n == 0 or first <= 0:
        return np.zeros(0, dtype=np.int64)
    if n > 4 * first:
        kth = np.partition(key, n - first)[n - first]
        cand = np.flatnonzero(key >= kth)
    else:
        cand = np.arange(n)
    order = np.lexsort((ids[cand], -key[cand]))
    return cand[order[:first]]


def _bits(mask: int, names) -> list[str]:
    out = []
    while mask:
        low = mask & -mask
        out.append(names[low.bit_length() - 1])
        mask ^= low
    return out


class MatchingIndex:
    """Volunteers, open tasks, commitments and service history; answers matching queries."""

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS):
        self.weights = weights
        self._vol = Table(VOLUNTEER_SCHEMA, _N_GROUPS)
        self._group_max = np.zeros(_N_GROUPS)
        # Main rows holding each skill (any level), skill by skill: rows of skill b are
        # _skill_rows[_skill_off[b]:_skill_off[b + 1]], ascending.
        self._skill_rows = np.zeros(0, dtype=np.int32)
        self._skill_off = np.zeros(len(SKILLS) + 1, dtype=np.int64)
        self._bdays = np.zeros(0, dtype=np.int32)
        self._bn = 0
        # Per volunteer key (stable for an id, also for ids only seen in engagement facts).
        self._n_keys = 0
        self._key_ids = np.zeros(0, dtype="S12")
        self._key_row = np.zeros(0, dtype=np.int32)
        self._attended = np.zeros(0, dtype=np.int32)
        self._no_show = np.zeros(0, dtype=np.int32)
        self._sorted_ids = np.zeros(0, dtype="S12")
        self._sorted_keys = np.zeros(0, dtype=np.int32)
        self._new_keys: dict[bytes, int] = {}
        # Tasks.
        self._task = Table(TASK_SCHEMA, 1)
        self._task_row: dict[bytes, int] = {}
        self._need_code: dict[bytes, int] = {}
        self._benef_code: dict[str, int] = {}
        # Commitments: parallel arrays, indexed by volunteer, task and local ISO week.
        self._c_n = 0
        self._c_key = np.zeros(0, dtype=np.int32)
        self._c_start = np.zeros(0, dtype=np.int64)
        self._c_end = np.zeros(0, dtype=np.int64)
        self._c_alive = np.zeros(0, dtype=np.bool_)
        self._c_by_vol: dict[int, dict[bytes, int]] = {}
        self._c_by_task: dict[bytes, set[int]] = {}
        self._c_week: dict[int, list[int]] = {}
        self._c_week_arr: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # positions, their keys
        # Service history.
        self._e_n = 0
        self._e_key = np.zeros(0, dtype=np.int32)
        self._e_day = np.zeros(0, dtype=np.int32)
        self._e_min = np.zeros(0, dtype=np.int32)
        self._served_need: dict[int, set[int]] = {}
        self._served_benef: dict[int, set[int]] = {}
        self._vol_needs: dict[int, set[int]] = {}
        self._vol_benefs: dict[int, set[int]] = {}
        self._load_day: int | None = None
        self._load = np.zeros(0, dtype=np.int32)

    @classmethod
    def build(cls, volunteers: Iterable[dict] = (), tasks: Iterable[dict] = (),
              weights: Weights = DEFAULT_WEIGHTS) -> "MatchingIndex":
        index = cls(weights)
        index.upsert_volunteers(volunteers)
        index.upsert_tasks(tasks)
        index.compact()
        return index

    # ----------------------------------------------------------------- volunteer keys
    def _ensure_keys(self, n: int) -> None:
        self._key_ids = _grow(self._key_ids, n, b"")
        self._key_row = _grow(self._key_row, n, -1)
        self._attended = _grow(self._attended, n)
        self._no_show = _grow(self._no_show, n)
        if self._load_day is not None:
            self._load = _grow(self._load, n)

    def _rebuild_key_lookup(self) -> None:
        ids = self._key_ids[:self._n_keys]
        order = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[order]
        self._sorted_keys = order.astype(np.int32)
        self._new_keys = {}

    def _find_key(self, idb: bytes) -> int:
        k = self._new_keys.get(idb)
        if k is not None:
            return k
        s = self._sorted_ids
        if len(s):
            i = int(np.searchsorted(s, idb))
            if i < len(s) and bytes(s[i]) == idb.rstrip(b"\0"):
                return int(self._sorted_keys[i])
        return -1

    def _key(self, idb: bytes) -> int:
        k = self._find_key(idb)
        if k < 0:
            k = self._n_keys
            self._ensure_keys(k + 1)
            self._key_ids[k] = idb
            self._n_keys += 1
            self._new_keys[idb] = k
            if len(self._new_keys) > max(4096, self._n_keys // 32):
                self._rebuild_key_lookup()
        return k

    def _keys(self, ids: list[bytes]) -> np.ndarray:
        """Keys of many ids, creating the missing ones (ids must be distinct)."""
        arr = np.array(ids, dtype="S12")
        keys = np.full(len(arr), -1, dtype=np.int64)
        s = self._sorted_ids
        if len(s):
            pos = np.minimum(np.searchsorted(s, arr), len(s) - 1)
            hit = s[pos] == arr
            keys[hit] = self._sorted_keys[pos[hit]]
        if self._new_keys:
            for i in np.flatnonzero(keys < 0):
                keys[i] = self._new_keys.get(ids[i], -1)
        miss = np.flatnonzero(keys < 0)
        if len(miss):
            base = self._n_keys
            self._ensure_keys(base + len(miss))
            self._key_ids[base:base + len(miss)] = arr[miss]
            keys[miss] = np.arange(base, base + len(miss))
            self._n_keys += len(miss)
            if len(miss) + len(self._new_keys) > max(4096, self._n_keys // 32):
                self._rebuild_key_lookup()
            else:
                for i in miss:
                    self._new_keys[ids[i]] = int(keys[i])
        return keys

    def _volunteer_row(self, volunteer_id: str) -> int:
        k = self._find_key(id_bytes(volunteer_id))
        row = int(self._key_row[k]) if k >= 0 else -1
        if row < 0:
            raise UnknownVolunteer(volunteer_id)
        return row

    # ----------------------------------------------------------------- volunteers
    def upsert_volunteer(self, doc: dict) -> None:
        self.upsert_volunteers([doc])

    def upsert_volunteers(self, docs: Iterable[dict]) -> None:
        ids, active, cols, bdays = parse_volunteers(docs)
        if not ids:
            return
        arr = np.array(ids, dtype="S12")
        _, last_rev = np.unique(arr[::-1], return_index=True)
        keep = np.sort(len(arr) - 1 - last_rev)
        bcount = cols["b_count"].astype(np.int64)
        bstart = np.cumsum(bcount) - bcount
        keys = self._keys([ids[i] for i in keep])
        old = self._key_row[keys]
        old = old[old >= 0]
        alive = self._vol.cols["alive"]
        self._vol.n_dead += int(alive[old].sum())
        alive[old] = False
        self._key_row[keys] = -1
        act = active[keep]
        keep, keys = keep[act], keys[act]
        if len(keep):
            sel = expand_ranges(bstart[keep], bstart[keep] + bcount[keep])
            self._bdays = _grow(self._bdays, self._bn + len(sel))
            self._bdays[self._bn:self._bn + len(sel)] = bdays[sel]
            new_start = self._bn + np.cumsum(bcount[keep]) - bcount[keep]
            self._bn += len(sel)
            values = {name: col[keep] for name, col in cols.items()}
            values["b_start"] = new_start
            values["vkey"] = keys
            rows = self._vol.append(values)
            self._key_row[keys] = rows
        self._maybe_compact_volunteers()

    def remove_volunteer(self, volunteer_id: str) -> bool:
        k = self._find_key(id_bytes(volunteer_id))
        if k < 0 or self._key_row[k] < 0:
            return False
        self._vol.kill(int(self._key_row[k]))
        self._key_row[k] = -1
        self._maybe_compact_volunteers()
        return True

    def _delta_limit(self, table: Table) -> int:
        return max(2048, table.n_main // 64)

    def _maybe_compact_volunteers(self) -> None:
        t = self._vol
        if t.n_delta > self._delta_limit(t) or t.n_dead > max(1024, t.n // 4):
            self._compact_volunteers()

    def _compact_volunteers(self) -> None:
        t = self._vol
        t.compact(slack=max(2048, t.n_live // 64))
        m = t.n
        self._key_row[t.cols["vkey"][:m]] = np.arange(m, dtype=np.int32)
        bs = t.cols["b_start"][:m]
        bc = t.cols["b_count"][:m].astype(np.int64)
        self._bdays = self._bdays[expand_ranges(bs, bs + bc)]
        self._bn = len(self._bdays)
        t.cols["b_start"][:m] = np.cumsum(bc) - bc
        radius = t.cols["radius"]
        for g in range(_N_GROUPS):
            a, b = t.group_off[g], t.group_off[g + 1]
            self._group_max[g] = radius[a:b].max() if b > a else 0.0
        p0 = t.cols["p0"][:m]
        per_skill = [np.flatnonzero(p0 & np.uint32(1 << b)).astype(np.int32)
                     for b in range(len(SKILLS))]
        self._skill_off[1:] = np.cumsum([len(r) for r in per_skill])
        self._skill_rows = np.concatenate(per_skill)
        if self._new_keys:
            self._rebuild_key_lookup()

    def compact(self) -> None:
        """Fold appends and tombstones into the sorted layout (also done automatically)."""
        self._compact_volunteers()
        self._compact_tasks()

    # ----------------------------------------------------------------- tasks
    def _intern_need(self, b: bytes) -> int:
        return self._need_code.setdefault(b, len(self._need_code))

    def _intern_benef(self, s: str) -> int:
        return self._benef_code.setdefault(s, len(self._benef_code))

    def upsert_task(self, doc: dict) -> None:
        self.upsert_tasks([doc])

    def upsert_tasks(self, docs: Iterable[dict]) -> None:
        ids, cols = parse_tasks(docs, self._intern_need, self._intern_benef)
        if not ids:
            return
        last = {b: i for i, b in enumerate(ids)}
        keep = np.array(sorted(last.values()), dtype=np.int64)
        for b in last:
            old = self._task_row.pop(b, None)
            if old is not None:
                self._kill_task(old)
        rows = self._task.append({name: col[keep] for name, col in cols.items()})
        for i, row in zip(keep.tolist(), rows.tolist()):
            self._task_row[ids[i]] = row
        t = self._task
        if t.n_delta > max(1024, t.n_main // 16) or t.n_dead > max(1024, t.n // 4):
            self._compact_tasks()

    def remove_task(self, task_id: str) -> bool:
        row = self._task_row.pop(id_bytes(task_id), None)
        if row is None:
            return False
        self._kill_task(row)
        return True

    def _kill_task(self, row: int) -> None:
        self._task.kill(row)
        self._task.cols["listed_end"][row] = NOT_LISTED

    def _compact_tasks(self) -> None:
        self._task.compact(slack=1024)
        tids = self._task.cols["tid"][:self._task.n].tolist()
        self._task_row = {b.ljust(12, b"\0"): i for i, b in enumerate(tids)}

    def _task_ctx(self, task_id: str) -> SimpleNamespace:
        row = self._task_row.get(id_bytes(task_id))
        if row is None:
            raise UnknownTask(task_id)
        c = self._task.cols
        t = SimpleNamespace(**{name: c[name][row].item() for name in TASK_SCHEMA if name != "tid"})
        t.tid = id_bytes(task_id)
        t.task_id = task_id
        t.p = [t.__dict__[f"p{i}"] for i in range(N_LEVELS)]
        t.m = (t.m0, t.m1, t.m2)
        t.dur = t.end - t.start
        return t

    def _vol_ctx(self, row: int) -> SimpleNamespace:
        c = self._vol.cols
        v = SimpleNamespace(**{name: c[name][row].item() for name in VOLUNTEER_SCHEMA})
        v.p = [v.__dict__[f"p{i}"] for i in range(N_LEVELS)]
        v.c = [v.__dict__[f"c{i}"] for i in range(N_CRED)]
        v.a = (v.a0, v.a1, v.a2)
        v.lat = math.degrees(math.atan2(v.sin_lat, v.cos_lat))
        v.lng = math.degrees(v.lng_rad)
        v.blackouts = self._bdays[v.b_start:v.b_start + v.b_count]
        return v

    # ----------------------------------------------------------------- engagement facts
    def add_commitment(self, volunteer_id: str, task_id: str, starts_at: datetime,
                       ends_at: datetime) -> None:
        self.remove_commitment(volunteer_id, task_id)
        key = self._key(id_bytes(volunteer_id))
        tid = id_bytes(task_id)
        pos = self._c_n
        self._c_key = _grow(self._c_key, pos + 1)
        self._c_start = _grow(self._c_start, pos + 1)
        self._c_end = _grow(self._c_end, pos + 1)
        self._c_alive = _grow(self._c_alive, pos + 1, False)
        s, e = tu.to_seconds(starts_at), tu.to_seconds_ceil(ends_at)
        self._c_key[pos], self._c_start[pos], self._c_end[pos] = key, s, e
        self._c_alive[pos] = True
        self._c_n += 1
        self._c_by_vol.setdefault(key, {})[tid] = pos
        self._c_by_task.setdefault(tid, set()).add(key)
        for w in range(tu.iso_week(s), tu.iso_week(max(s, e - 1)) + 1):
            self._c_week.setdefault(w, []).append(pos)
            self._c_week_arr.pop(w, None)

    def remove_commitment(self, volunteer_id: str, task_id: str) -> bool:
        key = self._find_key(id_bytes(volunteer_id))
        held = self._c_by_vol.get(key)
        tid = id_bytes(task_id)
        if not held or tid not in held:
            return False
        self._drop_commitment(key, tid)
        return True

    def release_task(self, task_id: str) -> int:
        """Ends every commitment to a task (it was cancelled); returns how many there were."""
        tid = id_bytes(task_id)
        holders = list(self._c_by_task.get(tid, ()))
        for key in holders:
            self._drop_commitment(key, tid)
        return len(holders)

    def _drop_commitment(self, key: int, tid: bytes) -> None:
        held = self._c_by_vol[key]
        pos = held.pop(tid)
        if not held:
            del self._c_by_vol[key]
        self._c_alive[pos] = False
        holders = self._c_by_task[tid]
        holders.discard(key)
        if not holders:
            del self._c_by_task[tid]

    def record_service(self, volunteer_id: str, need_id: str, beneficiary_key: str | None,
                       attended: bool, at: datetime, minutes: int) -> None:
        key = self._key(id_bytes(volunteer_id))
        day = tu.local_day(tu.to_seconds(at))
        served = int(minutes) if attended else 0
        if attended:
            self._attended[key] += 1
            need = self._intern_need(id_bytes(need_id))
            self._served_need.setdefault(need, set()).add(key)
            self._vol_needs.setdefault(key, set()).add(need)
            if beneficiary_key is not None:
                b = self._intern_benef(str(beneficiary_key))
                self._served_benef.setdefault(b, set()).add(key)
                self._vol_benefs.setdefault(key, set()).add(b)
        else:
            self._no_show[key] += 1
        i = self._e_n
        self._e_key = _grow(self._e_key, i + 1)
        self._e_day = _grow(self._e_day, i + 1)
        self._e_min = _grow(self._e_min, i + 1)
        self._e_key[i], self._e_day[i], self._e_min[i] = key, day, served
        self._e_n += 1
        if self._load_day is not None and self._in_window(day, self._load_day):
            self._load[key] += served

    def _in_window(self, day: int, today: int) -> bool:
        return today - self.weights.fairness_window_days < day <= today

    def _recent_load(self, now: datetime) -> np.ndarray:
        """Minutes served per volunteer key over the last `fairness_window_days` local days."""
        today = tu.local_day(tu.to_seconds(now))
        if self._load_day != today:
            n = self._e_n
            day = self._e_day[:n]
            sel = (day > today - self.weights.fairness_window_days) & (day <= today)
            load = np.bincount(self._e_key[:n][sel], weights=self._e_min[:n][sel],
                               minlength=len(self._attended))
            self._load = load.astype(np.int32)
            self._load_day = today
        return self._load

    # ----------------------------------------------------------------- constraints
    def _blackout_hits(self, rows: np.ndarray, first_day: int, last_day: int) -> np.ndarray:
        V = self._vol.cols
        hits = np.zeros(len(rows), dtype=np.bool_)
        cnt = V["b_count"][rows]
        sel = np.flatnonzero(cnt)
        if len(sel):
            lens = cnt[sel].astype(np.int64)
            st = V["b_start"][rows[sel]]
            days = self._bdays[expand_ranges(st, st + lens)]
            hit = (days >= first_day) & (days <= last_day)
            seg = np.repeat(np.arange(len(sel)), lens)
            hits[sel[seg[hit]]] = True
        return hits

    def _week_positions(self, weeks: range) -> tuple[np.ndarray, np.ndarray]:
        """Live commitments touching the weeks, as (positions, volunteer keys) sorted by key."""
        parts = []
        for w in weeks:
            hit = self._c_week_arr.get(w)
            if hit is None:
                lst = self._c_week.get(w)
                if not lst:
                    continue
                arr = np.array(lst, dtype=np.int64)
                arr = arr[self._c_alive[arr]]
                arr = arr[np.argsort(self._c_key[arr], kind="stable")]
                self._c_week[w] = arr.tolist()
                hit = self._c_week_arr[w] = (arr, self._c_key[arr])
            parts.append(hit)
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if len(parts) == 1:
            return parts[0]
        pos = np.unique(np.concatenate([p for p, _ in parts]))
        pos = pos[np.argsort(self._c_key[pos], kind="stable")]
        return pos, self._c_key[pos]

    def _commitment_conflicts(self, rows: np.ndarray, t: SimpleNamespace) -> np.ndarray:
        """Volunteers (rows) who hold this task, overlap it, or would exceed their weekly cap."""
        V = self._vol.cols
        keys = V["vkey"][rows]
        bad = np.zeros(len(rows), dtype=np.bool_)
        holders = self._c_by_task.get(t.tid)
        if holders:
            bad |= np.isin(keys, np.fromiter(holders, dtype=np.int64))
        committed = np.zeros(len(rows))
        pos, pkeys = self._week_positions(
            range(tu.iso_week(t.start), tu.iso_week(max(t.start, t.end - 1)) + 1))
        if len(pos):
            lo = np.searchsorted(pkeys, keys, side="left")
            hi = np.searchsorted(pkeys, keys, side="right")
            sel = np.flatnonzero(hi > lo)
            ci = np.repeat(sel, (hi - lo)[sel])
            pos = pos[expand_ranges(lo[sel], hi[sel])]
            live = self._c_alive[pos]
            pos, ci = pos[live], ci[live]
            cs, ce = self._c_start[pos], self._c_end[pos]
            bad[ci[(cs < t.end) & (ce > t.start)]] = True
            ws = tu.week_start(t.week)
            secs = np.clip(np.minimum(ce, ws + tu.WEEK_S) - np.maximum(cs, ws), 0, None)
            committed = np.bincount(ci, weights=secs, minlength=len(rows))
        bad |= committed + t.dur > V["max_sec"][rows]
        return bad

    def _feasible_volunteers(self, t: SimpleNamespace, rows: np.ndarray, search_km: float,
                             prune: bool = True):
        """The rows that satisfy every hard constraint for task t, with their distances.

        `prune` drops rows after the cheap bit tests, before distances; without it (the brute
        force) every constraint is evaluated on every row.
        """
        V = self._vol.cols
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
        if prune:
            rows = rows[ok]
        d = geo.great_circle_km(t.sin_lat, t.cos_lat, t.lng_rad,
                                V["sin_lat"][rows], V["cos_lat"][rows], V["lng_rad"][rows])
        near = (d <= V["radius"][rows]) & (d <= search_km)
        ok = ok & near if not prune else near
        if prune:
            rows, d = rows[ok], d[ok]
            ok = np.ones(len(rows), dtype=np.bool_)
        if len(rows):
            ok &= ~self._blackout_hits(rows, t.first_day, t.last_day)
            ok &= ~self._commitment_conflicts(rows, t)
        return rows[ok], d[ok]

    def _feasible_tasks(self, v: SimpleNamespace, key: int, rows: np.ndarray, now_s: int,
                        prune: bool = True):
        T = self._task.cols
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
        if prune:
            rows = rows[ok]
        d = geo.great_circle_km(T["sin_lat"][rows], T["cos_lat"][rows], T["lng_rad"][rows],
                                v.sin_lat, v.cos_lat, v.lng_rad)
        ok = (ok & (d <= v.radius)) if not prune else d <= v.radius
        rows, d = rows[ok], d[ok]
        if not len(rows):
            return rows, d
        if len(v.blackouts):
            b = np.sort(v.blackouts)
            n_hit = (np.searchsorted(b, T["last_day"][rows], side="right")
                     - np.searchsorted(b, T["first_day"][rows], side="left"))
            rows, d = rows[n_hit == 0], d[n_hit == 0]
        start, end = T["start"][rows], T["end"][rows]
        ws = (7 * T["week"][rows].astype(np.int64) - 3) * tu.DAY_S - tu.OFFSET_S
        committed = np.zeros(len(rows), dtype=np.int64)
        ok = np.ones(len(rows), dtype=np.bool_)
        held = self._c_by_vol.get(key, {})
        for pos in held.values():
            cs, ce = int(self._c_start[pos]), int(self._c_end[pos])
            ok &= ~((cs < end) & (ce > start))
            committed += np.clip(np.minimum(ce, ws + tu.WEEK_S) - np.maximum(cs, ws), 0, None)
        if held:
            ok &= ~np.isin(T["tid"][rows], np.array(list(held), dtype="S12"))
        ok &= committed + (end - start) <= v.max_sec
        return rows[ok], d[ok]

    # ----------------------------------------------------------------- candidates
    def _volunteer_candidates(self, t: SimpleNamespace, search_km: float) -> np.ndarray:
        """Rows of every radius group within min(search, the group's longest travel radius)
        (main rows holding the task's rarest required skill only), plus every delta row."""
        vol = self._vol
        delta = np.arange(vol.n_main, vol.n)
        off = vol.group_off
        groups = np.flatnonzero(off[1:] > off[:-1])
        if not len(groups):
            return delta
        radii = np.minimum(self._group_max[groups], search_km).tolist()
        ranges = geo.grid_ranges(t.lat, t.lng, radii)
        if ranges is None:
            starts, ends = np.zeros(1, dtype=np.int64), np.array([vol.n_main])
        else:
            lo, hi, valid = ranges
            shift = (groups.astype(np.uint64) << np.uint64(geo.KEY_BITS))[:, None]
            starts, ends = vol.row_ranges((lo | shift)[valid], (hi | shift)[valid])
        if t.p0:
            so = self._skill_off
            b = min((b for b in range(len(SKILLS)) if t.p0 >> b & 1),
                    key=lambda b: so[b + 1] - so[b])
            holders = self._skill_rows[so[b]:so[b + 1]]
            main = holders[expand_ranges(np.searchsorted(holders, starts.astype(np.int32)),
                                         np.searchsorted(holders, ends.astype(np.int32)))]
        else:
            main = expand_ranges(starts, ends)
        return np.concatenate([main, delta])

    def _task_candidates(self, lat: float, lng: float, radius_km: float) -> np.ndarray:
        task = self._task
        ranges = geo.grid_ranges(lat, lng, (radius_km,))
        if ranges is None:
            return np.arange(task.n)
        lo, hi, valid = ranges
        starts, ends = task.row_ranges(lo[valid], hi[valid])
        rows = expand_ranges(starts, ends)
        if task.n > task.n_main:
            rows = np.concatenate([rows, np.arange(task.n_main, task.n)])
        return rows

    def _all_volunteers(self, t, search_km) -> np.ndarray:
        return np.arange(self._vol.n)

    def _all_tasks(self, lat, lng, radius_km) -> np.ndarray:
        return np.arange(self._task.n)

    # ----------------------------------------------------------------- queries
    def recommend_volunteers(self, task_id: str, now: datetime, first: int = 10,
                             radius_km: float | None = None) -> list[VolunteerMatch]:
        """Best volunteers for a task; EMERGENCY tasks widen the radius ring by ring."""
        return self._recommend_volunteers(task_id, now, first, radius_km,
                                          self._volunteer_candidates, rings=True)

    def _recommend_volunteers(self, task_id, now, first, radius_km,
                              candidates: Callable, rings: bool) -> list[VolunteerMatch]:
        t = self._task_ctx(task_id)
        w = self.weights
        prune = rings
        if t.urgency == EMERGENCY:
            cap = w.emergency_max_radius_km if radius_km is None else float(radius_km)
            steps = [r for r in w.emergency_rings_km if r < cap] if rings else []
            for r in steps + [cap]:
                rows, d = self._feasible_volunteers(t, candidates(t, r), r, prune)
                if len(rows) >= first:
                    break
            return self._volunteer_matches(t, rows, d, now, first, nearest=True)
        search = math.inf if radius_km is None else float(radius_km)
        if not rings:
            rows, d = self._feasible_volunteers(t, candidates(t, search), search, prune)
            return self._volunteer_matches(t, rows, d, now, first, nearest=False)
        rows, d, sc = self._threshold_search(t, now, first, search, candidates)
        return self._volunteer_matches(t, rows, d, now, first, nearest=False, sc=sc)

    def _score_bound(self, t, radius_km: float) -> float:
        """Highest score a volunteer farther than `radius_km` who never served this task's need
        or beneficiary could reach (a small epsilon absorbs rounding)."""
        w = self.weights
        skill = (MAX_LEVEL * t.n_req - t.req_sum) / (LEVEL_SPAN * t.n_req) if t.n_req else 0.0
        return (w.distance * proximity(w, radius_km) + w.skill_surplus * skill
                + w.language * (1.0 if t.langs else 0.0) + w.reliability + w.fairness + 1e-9)

    def _threshold_search(self, t, now, first, search, candidates):
        """Exact top-k by growing the radius until the k-th score beats every farther volunteer.

        Each row is evaluated once, in the first ring whose candidates hold it. Volunteers who
        served this need or beneficiary are evaluated in the first ring whatever their distance,
        so the bound for the unseen ones has no continuity term. Returns rows, distances, scores.
        """
        served = set(self._served_need.get(t.need, ()))
        if t.benef >= 0:
            served |= self._served_benef.get(t.benef, set())
        pending = np.zeros(0, dtype=np.int64)
        if served:
            pending = self._key_row[np.fromiter(served, dtype=np.int64)].astype(np.int64)
            pending = pending[pending >= 0]
        vol = self._vol
        reach = float(max(self._group_max.max(),
                          vol.cols["radius"][vol.n_main:vol.n].max(initial=0.0)))
        state = np.zeros(vol.n, dtype=np.int8)  # 1: served the need or beneficiary, 2: evaluated
        state[pending] = 1
        rows = np.zeros(0, dtype=np.int64)
        d = sc = np.zeros(0)
        was_served = np.zeros(0, dtype=np.bool_)
        r = 1.0
        while True:
            r_eff = min(r, search)
            new = candidates(t, r_eff)
            new = new[state[new] == 0]
            state[new] = 2
            new, new_d = self._feasible_volunteers(t, np.concatenate([pending, new]), math.inf)
            new_served = state[new] == 1
            keep = ~new_served | (new_d <= search)
            new, new_d, new_served = new[keep], new_d[keep], new_served[keep]
            parts = self._volunteer_parts(t, new, now, continuity=len(pending) > 0)
            pending = pending[:0]
            rows = np.concatenate([rows, new])
            d = np.concatenate([d, new_d])
            sc = np.concatenate([sc, score(self.weights, new_d, *parts[1:])])
            was_served = np.concatenate([was_served, new_served])
            found = (d <= r_eff) | was_served
            if r_eff >= search or r_eff >= reach:
                return rows[found], d[found], sc[found]
            if found.sum() >= first:
                top = sc[found]
                kth = np.partition(top, len(top) - first)[len(top) - first]
                if kth > self._score_bound(t, r_eff):
                    return rows[found], d[found], top
            r *= _RING_GROWTH

    def _volunteer_parts(self, t, rows, now, continuity: bool = True):
        """Score inputs of the rows; `continuity=False` when none of them served the need."""
        V = self._vol.cols
        keys = V["vkey"][rows]
        have = sum(np.bitwise_count(V[f"p{i}"][rows] & t.p0) for i in range(N_LEVELS))
        surplus = (have.astype(np.int64) - t.req_sum) / (LEVEL_SPAN * max(t.n_req, 1))
        lang = ((V["langs"][rows] & t.langs) != 0).astype(np.float64)
        cont = np.zeros(len(rows))
        served = self._served_need.get(t.need) if continuity else None
        if served:
            cont[np.isin(keys, np.fromiter(served, dtype=np.int64))] = self.weights.continuity_need
        served = self._served_benef.get(t.benef) if continuity and t.benef >= 0 else None
        if served:
            cont[np.isin(keys, np.fromiter(served, dtype=np.int64))] = 1.0
        return keys, surplus, lang, cont, self._attended[keys], self._no_show[keys], \
            self._recent_load(now)[keys]

    def _volunteer_matches(self, t, rows, d, now, first, nearest,
                           sc: np.ndarray | None = None) -> list[VolunteerMatch]:
        """The top `first` rows as matches; given their scores `sc`, the other score inputs are
        only gathered for the top rows."""
        w = self.weights
        if sc is None:
            parts = self._volunteer_parts(t, rows, now)
            sc = proximity(w, d) if nearest else score(w, d, *parts[1:])
            top = _top(-d if nearest else sc, self._key_ids[parts[0]], first)
            keys, _, _, cont, att, ns, load = (p[top] for p in parts)
        else:
            top = _top(sc, self._key_ids[self._vol.cols["vkey"][rows]], first)
            keys, _, _, cont, att, ns, load = self._volunteer_parts(t, rows[top], now)
        V = self._vol.cols
        required = _bits(t.p0, SKILLS)
        word = BENEFICIARY_WORD.get(CATEGORIES[t.category], "person")
        out = []
        for j, i in enumerate(top.tolist()):
            row = rows[i]
            levels = [sum((int(V[f"p{L}"][row]) >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS))
                      for s in required]
            mins = [sum((t.p[L] >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)) for s in required]
            r = reasons(w, distance_km=float(d[i]), skills=list(zip(required, levels, mins)),
                        languages=_bits(int(V["langs"][row]) & t.langs, LANGUAGES),
                        continuity=float(cont[j]), beneficiary_word=word, attended=int(att[j]),
                        no_show=int(ns[j]), recent_minutes=int(load[j]),
                        emergency_responder=nearest and bool(V["responder"][row]))
            out.append(VolunteerMatch(_hex(self._key_ids[keys[j]]), float(sc[i]), float(d[i]),
                                      required, [], r))
        return out

    def recommend_tasks(self, volunteer_id: str, now: datetime, first: int = 10) -> list[TaskMatch]:
        """Open tasks starting after `now` the volunteer can take, best score first."""
        return self._recommend_tasks(volunteer_id, now, first, self._task_candidates)

    def _recommend_tasks(self, volunteer_id, now, first, candidates,
                         prune: bool = True) -> list[TaskMatch]:
        row = self._volunteer_row(volunteer_id)
        v = self._vol_ctx(row)
        key = v.vkey
        w = self.weights
        rows, d = self._feasible_tasks(v, key, candidates(v.lat, v.lng, v.radius),
                                       tu.to_seconds(now), prune)
        T = self._task.cols
        have = sum(np.bitwise_count(T["p0"][rows] & v.p[i]) for i in range(N_LEVELS))
        n_req = T["n_req"][rows]
        surplus = (have.astype(np.int64) - T["req_sum"][rows]) / (LEVEL_SPAN * np.maximum(n_req, 1))
        lang = ((T["langs"][rows] & v.langs) != 0).astype(np.float64)
        cont = np.zeros(len(rows))
        needs = self._vol_needs.get(key)
        if needs:
            cont[np.isin(T["need"][rows], np.fromiter(needs, dtype=np.int64))] = w.continuity_need
        benefs = self._vol_benefs.get(key)
        if benefs:
            cont[np.isin(T["benef"][rows], np.fromiter(benefs, dtype=np.int64))] = 1.0
        att, ns = int(self._attended[key]), int(self._no_show[key])
        load = int(self._recent_load(now)[key])
        sc = score(w, d, surplus, lang, cont, att, ns, load)
        top = _top(sc, T["tid"][rows], first)
        out = []
        for i in top.tolist():
            r = rows[i]
            required = _bits(int(T["p0"][r]), SKILLS)
            skills = [(s, sum((v.p[L] >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)),
                       sum((int(T[f"p{L}"][r]) >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)))
                      for s in required]
            word = BENEFICIARY_WORD.get(CATEGORIES[int(T["category"][r])], "person")
            why = reasons(w, distance_km=float(d[i]), skills=skills,
                          languages=_bits(int(T["langs"][r]) & v.langs, LANGUAGES),
                          continuity=float(cont[i]), beneficiary_word=word, attended=att,
                          no_show=ns, recent_minutes=load)
            out.append(TaskMatch(_hex(T["tid"][r]), float(sc[i]), float(d[i]), why))
        return out

    def open_tasks(self, lat: float, lng: float, radius_km: float, categories=None, skills=None,
                   start: datetime | None = None, end: datetime | None = None, first: int = 20,
                   after: tuple[float, str] | None = None,
                   now: datetime | None = None) -> OpenTasksPage:
        """Open tasks within the radius, nearest first (ties by id), keyset-paginated.

        `skills` keeps tasks that require at least one of the given skills; `start`/`end` keep
        tasks whose window overlaps [start, end]; `now` drops tasks that have already ended.
        """
        return self._open_tasks(lat, lng, radius_km, categories, skills, start, end, first, after,
                                now, self._listed_nearby)

    def _open_tasks(self, lat, lng, radius_km, categories, skills, start, end, first, after, now,
                    listed: Callable) -> OpenTasksPage:
        """`listed` gives rows and a mask of those that pass every filter but the distance."""
        T = self._task.cols
        rows, ok = listed(lat, lng, radius_km, categories, skills, start, end, now)
        d = geo.great_circle_km(T["sin_lat"][rows], T["cos_lat"][rows], T["lng_rad"][rows],
                                *geo.trig(lat, lng))
        ok = ok & (d <= radius_km)
        rows, d = rows[ok], d[ok]
        total = len(rows)
        tids = T["tid"][rows]
        if after is not None:
            a_d = float(after[0])
            a_id = np.array([id_bytes(after[1])], dtype="S12")
            keep = (d > a_d) | ((d == a_d) & (tids > a_id))
            rows, d, tids = rows[keep], d[keep], tids[keep]
        top = _top(-d, tids, first + 1)
        shown = top[:first]
        hexes = tids[shown].tobytes().hex()
        items = [OpenTaskHit(hexes[24 * j:24 * j + 24], dist)
                 for j, dist in enumerate(d[shown].tolist())]
        cursor = (items[-1].distance_km, items[-1].task_id) if items else None
        return OpenTasksPage(items, total, len(top) > first, cursor)

    def _listed_nearby(self, lat, lng, radius_km, categories, skills, start, end, now):
        """Rows in the disk's bounding box that pass open_tasks' filters other than distance.

        Main rows are sorted by (latitude band, longitude), so the box's bands are one slice;
        the filters run on that slice's columns (views, no gathers) with the longitude bounds, from
        the precomputed `listed_end` and `tags` columns. Delta rows are all filtered the same way.
        """
        task = self._task
        T = task.cols
        after_s = max((tu.to_seconds(x) for x in (now, start) if x is not None),
                      default=NOT_LISTED)
        end_s = None if end is None else tu.to_seconds_ceil(end)
        cats = None if categories is None else sum(
            1 << (N_SKILLS + CATEGORY_CODE[c]) for c in set(categories))
        wanted = None if skills is None else sum(1 << SKILL_BIT[s] for s in set(skills))
        box = geo.bounding_box(lat, lng, radius_km)
        west = east = None
        a, b = 0, task.n_main
        if box is not None:
            first_band, last_band, w, e = box
            a, b = np.searchsorted(T["cell"][:task.n_main],
                                   np.array([first_band, last_band + 1], dtype=np.uint64)
                                   * np.uint64(geo.N_COLS)).tolist()
            west, east = math.radians(w), math.radians(e)

        def pick(a: int, b: int) -> np.ndarray:
            ok = T["listed_end"][a:b] > after_s
            if west is not None:
                lng_rad = T["lng_rad"][a:b]
                ok &= (lng_rad >= west) & (lng_rad <= east)
            if end_s is not None:
                ok &= T["start"][a:b] < end_s
            if cats is not None:
                ok &= (T["tags"][a:b] & cats) != 0
            if wanted is not None:
                ok &= (T["tags"][a:b] & wanted) != 0
            return np.flatnonzero(ok) + a

        rows = pick(a, b)
        if task.n > task.n_main:
            rows = np.concatenate([rows, pick(task.n_main, task.n)])
        return rows, True

    def _all_listed(self, lat, lng, radius_km, categories, skills, start, end, now):
        """Every row, and the mask of those that pass open_tasks' filters other than distance."""
        T = self._task.cols
        rows = np.arange(self._task.n)
        ok = T["alive"][rows] & T["open"][rows]
        if now is not None:
            ok &= T["end"][rows] > tu.to_seconds(now)
        if start is not None:
            ok &= T["end"][rows] > tu.to_seconds(start)
        if end is not None:
            ok &= T["start"][rows] < tu.to_seconds_ceil(end)
        if categories is not None:
            lut = np.zeros(len(CATEGORIES), dtype=np.bool_)
            lut[[CATEGORY_CODE[c] for c in categories]] = True
            ok &= lut[T["category"][rows]]
        if skills is not None:
            mask = 0
            for s in skills:
                mask |= 1 << SKILL_BIT[s]
            ok &= (T["p0"][rows] & mask) != 0
        return rows, ok

    # ----------------------------------------------------------------- accounting
    def volunteer_count(self) -> int:
        return self._vol.n_live

    def task_count(self, open_only: bool = True) -> int:
        T = self._task.cols
        n = self._task.n
        alive = T["alive"][:n]
        return int((alive & T["open"][:n]).sum()) if open_only else int(alive.sum())

    def memory_report(self) -> dict:
        """Bytes held, honestly: numpy nbytes (capacity included) plus container estimates."""
        key_arrays = (self._key_ids, self._key_row, self._attended, self._no_show,
                      self._load, self._sorted_ids, self._sorted_keys)
        volunteer = (self._vol.nbytes() + sum(a.nbytes for a in key_arrays) + self._bdays.nbytes
                     + self._group_max.nbytes + self._skill_rows.nbytes + self._skill_off.nbytes
                     + _approx_size(self._new_keys))
        commitments = (sum(a.nbytes for a in (self._c_key, self._c_start, self._c_end,
                                              self._c_alive))
                       + _approx_size(self._c_by_vol) + _approx_size(self._c_by_task)
                       + _approx_size(self._c_week)
                       + sum(p.nbytes + k.nbytes for p, k in self._c_week_arr.values()))
        history = (sum(a.nbytes for a in (self._e_key, self._e_day, self._e_min))
                   + _approx_size(self._served_need) + _approx_size(self._served_benef)
                   + _approx_size(self._vol_needs) + _approx_size(self._vol_benefs))
        tasks = (self._task.nbytes() + _approx_size(self._task_row)
                 + _approx_size(self._need_code) + _approx_size(self._benef_code))
        n = max(1, self.volunteer_count())
        return {
            "volunteers": self.volunteer_count(),
            "volunteer_bytes": volunteer,
            "bytes_per_volunteer": volunteer / n,
            "commitment_bytes": commitments,
            "history_bytes": history,
            "bytes_per_volunteer_with_engagement": (volunteer + commitments + history) / n,
            "task_bytes": tasks,
        }

    def bytes_per_volunteer(self) -> float:
        return self.memory_report()["bytes_per_volunteer"]
