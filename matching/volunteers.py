"""The volunteer table: one row per active volunteer, numpy columns in a `Table`.

Main rows are sorted by (travel-radius class, grid key), so one latitude band of a class is one
contiguous run of rows ordered by longitude; upserts append to the delta region and tombstone the
old row, and compaction re-sorts when the delta exceeds max(2048, n/64) rows or a quarter is dead.
Alongside: blackout days (one flat array; a row holds the start and length of its run), the longest
travel radius of each class, and per-skill posting lists of the main rows (rebuilt at compaction).
"""

import math
from collections.abc import Iterable
from types import SimpleNamespace

import numpy as np

from .catalogue import SKILLS
from .errors import UnknownVolunteer
from .keys import VolunteerKeys
from .parse import N_CRED, N_LEVELS, RADIUS_CLASSES, VOLUNTEER_SCHEMA, id_bytes, parse_volunteers
from .table import Table, expand_ranges, grow

N_GROUPS = len(RADIUS_CLASSES) + 1


class VolunteerTable:
    def __init__(self, keys: VolunteerKeys):
        self.keys = keys
        keys.add_column("row", np.int32, -1)
        self.table = Table(VOLUNTEER_SCHEMA, N_GROUPS)
        self.group_max = np.zeros(N_GROUPS)
        # Main rows holding each skill (any level), skill by skill: rows of skill b are
        # skill_rows[skill_off[b]:skill_off[b + 1]], ascending.
        self.skill_rows = np.zeros(0, dtype=np.int32)
        self.skill_off = np.zeros(len(SKILLS) + 1, dtype=np.int64)
        self.bdays = np.zeros(0, dtype=np.int32)
        self._bn = 0

    def upsert(self, docs: Iterable[dict]) -> None:
        ids, active, cols, bdays = parse_volunteers(docs)
        if not ids:
            return
        arr = np.array(ids, dtype="S12")
        _, last_rev = np.unique(arr[::-1], return_index=True)
        keep = np.sort(len(arr) - 1 - last_rev)
        bcount = cols["b_count"].astype(np.int64)
        bstart = np.cumsum(bcount) - bcount
        keys = self.keys.keys([ids[i] for i in keep])
        key_row = self.keys.cols["row"]
        old = key_row[keys]
        old = old[old >= 0]
        alive = self.table.cols["alive"]
        self.table.n_dead += int(alive[old].sum())
        alive[old] = False
        key_row[keys] = -1
        act = active[keep]
        keep, keys = keep[act], keys[act]
        if len(keep):
            sel = expand_ranges(bstart[keep], bstart[keep] + bcount[keep])
            self.bdays = grow(self.bdays, self._bn + len(sel))
            self.bdays[self._bn : self._bn + len(sel)] = bdays[sel]
            new_start = self._bn + np.cumsum(bcount[keep]) - bcount[keep]
            self._bn += len(sel)
            values = {name: col[keep] for name, col in cols.items()}
            values["b_start"] = new_start
            values["vkey"] = keys
            rows = self.table.append(values)
            key_row[keys] = rows
        self._maybe_compact()

    def remove(self, volunteer_id: str) -> bool:
        k = self.keys.find(id_bytes(volunteer_id))
        key_row = self.keys.cols["row"]
        if k < 0 or key_row[k] < 0:
            return False
        self.table.kill(int(key_row[k]))
        key_row[k] = -1
        self._maybe_compact()
        return True

    def row_of(self, volunteer_id: str) -> int:
        k = self.keys.find(id_bytes(volunteer_id))
        row = int(self.keys.cols["row"][k]) if k >= 0 else -1
        if row < 0:
            raise UnknownVolunteer(volunteer_id)
        return row

    def ctx(self, row: int) -> SimpleNamespace:
        """One row's columns as Python scalars, plus its bit planes, location and blackout days."""
        c = self.table.cols
        v = SimpleNamespace(**{name: c[name][row].item() for name in VOLUNTEER_SCHEMA})
        v.p = [v.__dict__[f"p{i}"] for i in range(N_LEVELS)]
        v.c = [v.__dict__[f"c{i}"] for i in range(N_CRED)]
        v.a = (v.a0, v.a1, v.a2)
        v.lat = math.degrees(math.atan2(v.sin_lat, v.cos_lat))
        v.lng = math.degrees(v.lng_rad)
        v.blackouts = self.bdays[v.b_start : v.b_start + v.b_count]
        return v

    def _maybe_compact(self) -> None:
        t = self.table
        if t.n_delta > max(2048, t.n_main // 64) or t.n_dead > max(1024, t.n // 4):
            self.compact()

    def compact(self) -> None:
        t = self.table
        t.compact(slack=max(2048, t.n_live // 64))
        m = t.n
        self.keys.cols["row"][t.cols["vkey"][:m]] = np.arange(m, dtype=np.int32)
        bs = t.cols["b_start"][:m]
        bc = t.cols["b_count"][:m].astype(np.int64)
        self.bdays = self.bdays[expand_ranges(bs, bs + bc)]
        self._bn = len(self.bdays)
        t.cols["b_start"][:m] = np.cumsum(bc) - bc
        radius = t.cols["radius"]
        for g in range(N_GROUPS):
            a, b = t.group_off[g], t.group_off[g + 1]
            self.group_max[g] = radius[a:b].max() if b > a else 0.0
        p0 = t.cols["p0"][:m]
        per_skill = [np.flatnonzero(p0 & np.uint32(1 << b)).astype(np.int32) for b in range(len(SKILLS))]
        self.skill_off[1:] = np.cumsum([len(r) for r in per_skill])
        self.skill_rows = np.concatenate(per_skill)
        if self.keys.n_recent:
            self.keys.merge()

    def nbytes(self) -> int:
        """The table, blackout days, posting lists and every per-key array."""
        return (
            self.table.nbytes()
            + self.keys.nbytes()
            + self.bdays.nbytes
            + self.group_max.nbytes
            + self.skill_rows.nbytes
            + self.skill_off.nbytes
        )
