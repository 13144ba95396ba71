"""A struct-of-arrays table with append, tombstones and compaction.

Rows `[0, n_main)` are sorted by (group, cell key) so a cell's rows are contiguous and a disk of
cells maps to a few slices found with `searchsorted`; rows `[n_main, n)` are recent appends that
every query scans. `compact()` drops tombstones and re-sorts everything.
"""

import numpy as np


def expand_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, e) for every pair, vectorised."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lens) - lens
    return np.repeat(starts - offsets, lens) + np.arange(total, dtype=np.int64)


class Table:
    def __init__(self, schema: dict[str, object], n_groups: int = 1):
        self.schema = {**schema, "cell": np.uint64, "group": np.uint8, "alive": np.bool_}
        self.cols = {name: np.zeros(0, dtype=dt) for name, dt in self.schema.items()}
        self.n = 0
        self.n_main = 0
        self.n_dead = 0
        self.n_groups = n_groups
        self.group_off = np.zeros(n_groups + 1, dtype=np.int64)

    @property
    def capacity(self) -> int:
        return len(self.cols["alive"])

    @property
    def n_delta(self) -> int:
        return self.n - self.n_main

    @property
    def n_live(self) -> int:
        return self.n - self.n_dead

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.cols.values()) + self.group_off.nbytes

    def _reserve(self, m: int) -> None:
        need = self.n + m
        if need <= self.capacity:
            return
        cap = max(need, int(self.capacity * 1.25) + 1024)
        for name, old in self.cols.items():
            new = np.zeros(cap, dtype=old.dtype)
            new[:self.n] = old[:self.n]
            self.cols[name] = new

    def append(self, values: dict[str, np.ndarray]) -> np.ndarray:
        m = len(values["cell"])
        self._reserve(m)
        for name, arr in values.items():
            self.cols[name][self.n:self.n + m] = arr
        self.cols["alive"][self.n:self.n + m] = True
        rows = np.arange(self.n, self.n + m, dtype=np.int64)
        self.n += m
        return rows

    def kill(self, row: int) -> None:
        if self.cols["alive"][row]:
            self.cols["alive"][row] = False
            self.n_dead += 1

    def compact(self, slack: int = 0) -> np.ndarray:
        """Drop dead rows, sort by (group, cell); returns old row numbers in their new order."""
        live = np.flatnonzero(self.cols["alive"][:self.n])
        order = np.lexsort((self.cols["cell"][live], self.cols["group"][live]))
        perm = live[order]
        m = len(perm)
        for name, old in self.cols.items():
            new = np.zeros(m + slack, dtype=old.dtype)
            new[:m] = old[perm]
            self.cols[name] = new
        self.n = self.n_main = m
        self.n_dead = 0
        self.group_off = np.searchsorted(self.cols["group"][:m],
                                         np.arange(self.n_groups + 1), side="left").astype(np.int64)
        return perm

    def row_ranges(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Half-open [start, end) main-row ranges of the cell keys in the inclusive, sorted and
        disjoint key ranges [lo, hi] (the delta rows are not included)."""
        cells = self.cols["cell"][:self.n_main]
        return np.searchsorted(cells, lo, side="left"), np.searchsorted(cells, hi, side="right")
