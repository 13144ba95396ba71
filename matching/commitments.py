"""Commitments volunteers hold: parallel arrays, indexed by volunteer, by task and by local ISO week.

A commitment is a half-open [start, end) in whole epoch seconds (start rounded down, end up). Each
week keeps the positions of the commitments that touch it; they are filtered (dropped ones out) and
sorted by volunteer key on first use after a change, and cached with their keys next to them.
"""

from datetime import datetime

import numpy as np

from . import timeutil as tu
from .keys import VolunteerKeys
from .parse import id_bytes
from .table import approx_size, grow


class Commitments:
    def __init__(self, keys: VolunteerKeys):
        self._keys = keys
        self._n = 0
        self.key = np.zeros(0, dtype=np.int32)
        self.start = np.zeros(0, dtype=np.int64)
        self.end = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=np.bool_)
        self._by_vol: dict[int, dict[bytes, int]] = {}
        self._by_task: dict[bytes, set[int]] = {}
        self._week: dict[int, list[int]] = {}
        self._week_arr: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # positions, their keys

    def add(self, volunteer_id: str, task_id: str, starts_at: datetime, ends_at: datetime) -> None:
        self.remove(volunteer_id, task_id)
        key = self._keys.key(id_bytes(volunteer_id))
        tid = id_bytes(task_id)
        pos = self._n
        self.key = grow(self.key, pos + 1)
        self.start = grow(self.start, pos + 1)
        self.end = grow(self.end, pos + 1)
        self.alive = grow(self.alive, pos + 1, False)
        s, e = tu.to_seconds(starts_at), tu.to_seconds_ceil(ends_at)
        self.key[pos], self.start[pos], self.end[pos] = key, s, e
        self.alive[pos] = True
        self._n += 1
        self._by_vol.setdefault(key, {})[tid] = pos
        self._by_task.setdefault(tid, set()).add(key)
        for w in range(tu.iso_week(s), tu.iso_week(max(s, e - 1)) + 1):
            self._week.setdefault(w, []).append(pos)
            self._week_arr.pop(w, None)

    def remove(self, volunteer_id: str, task_id: str) -> bool:
        key = self._keys.find(id_bytes(volunteer_id))
        held = self._by_vol.get(key)
        tid = id_bytes(task_id)
        if not held or tid not in held:
            return False
        self._drop(key, tid)
        return True

    def release(self, task_id: str) -> int:
        """Ends every commitment to a task; returns how many there were."""
        tid = id_bytes(task_id)
        holders = list(self._by_task.get(tid, ()))
        for key in holders:
            self._drop(key, tid)
        return len(holders)

    def _drop(self, key: int, tid: bytes) -> None:
        held = self._by_vol[key]
        pos = held.pop(tid)
        if not held:
            del self._by_vol[key]
        self.alive[pos] = False
        holders = self._by_task[tid]
        holders.discard(key)
        if not holders:
            del self._by_task[tid]

    def holders(self, tid: bytes) -> set[int] | None:
        """Keys of the volunteers committed to a task (None if nobody is)."""
        return self._by_task.get(tid)

    def held(self, key: int) -> dict[bytes, int]:
        """A volunteer's commitments: task id -> position."""
        return self._by_vol.get(key, {})

    def week_positions(self, weeks: range) -> tuple[np.ndarray, np.ndarray]:
        """Live commitments touching the weeks, as (positions, volunteer keys) sorted by key."""
        parts = []
        for w in weeks:
            hit = self._week_arr.get(w)
            if hit is None:
                lst = self._week.get(w)
                if not lst:
                    continue
                arr = np.array(lst, dtype=np.int64)
                arr = arr[self.alive[arr]]
                arr = arr[np.argsort(self.key[arr], kind="stable")]
                self._week[w] = arr.tolist()
                hit = self._week_arr[w] = (arr, self.key[arr])
            parts.append(hit)
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if len(parts) == 1:
            return parts[0]
        pos = np.unique(np.concatenate([p for p, _ in parts]))
        pos = pos[np.argsort(self.key[pos], kind="stable")]
        return pos, self.key[pos]

    def nbytes(self) -> int:
        return (
            sum(a.nbytes for a in (self.key, self.start, self.end, self.alive))
            + approx_size(self._by_vol)
            + approx_size(self._by_task)
            + approx_size(self._week)
            + sum(p.nbytes + k.nbytes for p, k in self._week_arr.values())
        )
