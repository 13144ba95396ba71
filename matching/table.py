"""Storage helpers: a struct-of-arrays table with append, tombstones and compaction, growable arrays,
and memory estimates of containers.

Rows `[0, n_main)` are sorted by (group, cell key) so a cell's rows are contiguous and a disk of
cells maps to a few slices found with `searchsorted`; rows `[n_main, n)` are recent appends that
every query scans. `compact()` drops tombstones and re-sorts everything.
"""

import sys
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import DTypeLike


def expand_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, e) for every pair, vectorised."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lens) - lens
    return np.repeat(starts - offsets, lens) + np.arange(total, dtype=np.int64)


def grow(arr: np.ndarray, size: int, fill: Any = 0) -> np.ndarray:
    """`arr` if it holds `size` items, else a copy with room for at least 25 % more, `fill`ed."""
    if size <= len(arr):
        return arr
    new = np.full(max(size, int(len(arr) * 1.25) + 1024), fill, dtype=arr.dtype)
    new[: len(arr)] = arr
    return new


def approx_size(obj: object, sample: int = 200) -> int:
    """Bytes of a dict/set/list of small objects, extrapolated from a sample of its items."""
    size = sys.getsizeof(obj)
    items: Iterable[Any]
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
            part += sum(approx_size(x, sample) for x in item)
        else:
            part += approx_size(item, sample)
        taken += 1
        if taken >= sample:
            break
    return size + int(part * n / taken)


class Table:
    def __init__(self, schema: Mapping[str, DTypeLike], n_groups: int = 1):
        self.schema: dict[str, DTypeLike] = {**schema, "cell": np.uint64, "group": np.uint8, "alive": np.bool_}
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
            new[: self.n] = old[: self.n]
            self.cols[name] = new

    def append(self, values: dict[str, np.ndarray]) -> np.ndarray:
        m = len(values["cell"])
        self._reserve(m)
        for name, arr in values.items():
            self.cols[name][self.n : self.n + m] = arr
        self.cols["alive"][self.n : self.n + m] = True
        rows = np.arange(self.n, self.n + m, dtype=np.int64)
        self.n += m
        return rows

    def kill(self, row: int) -> None:
        if self.cols["alive"][row]:
            self.cols["alive"][row] = False
            self.n_dead += 1

    def compact(self, slack: int = 0) -> np.ndarray:
        """Drop dead rows, sort by (group, cell); returns old row numbers in their new order."""
        live = np.flatnonzero(self.cols["alive"][: self.n])
        order = np.lexsort((self.cols["cell"][live], self.cols["group"][live]))
        perm = live[order]
        m = len(perm)
        for name, old in self.cols.items():
            new = np.zeros(m + slack, dtype=old.dtype)
            new[:m] = old[perm]
            self.cols[name] = new
        self.n = self.n_main = m
        self.n_dead = 0
        self.group_off = np.searchsorted(self.cols["group"][:m], np.arange(self.n_groups + 1), side="left").astype(
            np.int64
        )
        return perm

    def row_ranges(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Half-open [start, end) main-row ranges of the cell keys in the inclusive, sorted and
        disjoint key ranges [lo, hi] (the delta rows are not included)."""
        cells = self.cols["cell"][: self.n_main]
        return np.searchsorted(cells, lo, side="left"), np.searchsorted(cells, hi, side="right")
