"""The task table: every task (open or not) as numpy columns in a `Table`, main rows sorted by grid key.

Upserts append to the delta region and tombstone the old row (whose `listed_end` becomes NOT_LISTED
so `open_tasks` skips it without reading `alive`); compaction re-sorts when the delta exceeds
max(1024, n/16) rows or a quarter is dead. Need ids and beneficiary keys are interned as small
integers (`Codes`), shared with the service history so continuity is an integer comparison.
"""

from collections.abc import Iterable
from types import SimpleNamespace

import numpy as np

from .errors import UnknownTask
from .parse import N_LEVELS, NOT_LISTED, TASK_SCHEMA, id_bytes, parse_tasks
from .table import Table, approx_size


class Codes:
    """Interned need ids (binary) and beneficiary keys."""

    def __init__(self) -> None:
        self._need: dict[bytes, int] = {}
        self._benef: dict[str, int] = {}

    def need(self, b: bytes) -> int:
        return self._need.setdefault(b, len(self._need))

    def benef(self, s: str) -> int:
        return self._benef.setdefault(s, len(self._benef))

    def nbytes(self) -> int:
        return approx_size(self._need) + approx_size(self._benef)


class TaskTable:
    def __init__(self) -> None:
        self.table = Table(TASK_SCHEMA, 1)
        self.codes = Codes()
        self._row: dict[bytes, int] = {}

    def upsert(self, docs: Iterable[dict]) -> None:
        ids, cols = parse_tasks(docs, self.codes.need, self.codes.benef)
        if not ids:
            return
        last = {b: i for i, b in enumerate(ids)}
        keep = np.array(sorted(last.values()), dtype=np.int64)
        for b in last:
            old = self._row.pop(b, None)
            if old is not None:
                self._kill(old)
        rows = self.table.append({name: col[keep] for name, col in cols.items()})
        for i, row in zip(keep.tolist(), rows.tolist()):
            self._row[ids[i]] = row
        t = self.table
        if t.n_delta > max(1024, t.n_main // 16) or t.n_dead > max(1024, t.n // 4):
            self.compact()

    def remove(self, task_id: str) -> bool:
        row = self._row.pop(id_bytes(task_id), None)
        if row is None:
            return False
        self._kill(row)
        return True

    def _kill(self, row: int) -> None:
        self.table.kill(row)
        self.table.cols["listed_end"][row] = NOT_LISTED

    def compact(self) -> None:
        self.table.compact(slack=1024)
        tids = self.table.cols["tid"][: self.table.n].tolist()
        self._row = {b.ljust(12, b"\0"): i for i, b in enumerate(tids)}

    def ctx(self, task_id: str) -> SimpleNamespace:
        """The task's columns as Python scalars, plus its bit planes, slot words and duration."""
        row = self._row.get(id_bytes(task_id))
        if row is None:
            raise UnknownTask(task_id)
        c = self.table.cols
        t = SimpleNamespace(**{name: c[name][row].item() for name in TASK_SCHEMA if name != "tid"})
        t.tid = id_bytes(task_id)
        t.task_id = task_id
        t.p = [t.__dict__[f"p{i}"] for i in range(N_LEVELS)]
        t.m = (t.m0, t.m1, t.m2)
        t.dur = t.end - t.start
        return t

    def count(self, open_only: bool = True) -> int:
        T = self.table.cols
        n = self.table.n
        alive = T["alive"][:n]
        return int((alive & T["open"][:n]).sum()) if open_only else int(alive.sum())

    def nbytes(self) -> int:
        return self.table.nbytes() + approx_size(self._row) + self.codes.nbytes()
