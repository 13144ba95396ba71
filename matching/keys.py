"""Stable integer keys for volunteer ids, and the arrays kept per key.

A volunteer id gets a key the first time it is seen (in a volunteer document, a commitment or a
service record) and keeps it, so facts recorded before the volunteer's document arrives still count.
Per key: the 12-byte binary id and the columns other parts add (the volunteer's row, attendance
counts, the cached recent load), all grown together. Lookup: a sorted (id, key) array plus a small
dict of recent ids, merged into it when it outgrows max(4096, keys / 32) or on `merge()`.
"""

import numpy as np
from numpy.typing import DTypeLike

from .table import approx_size, grow


class VolunteerKeys:
    def __init__(self) -> None:
        self.n = 0
        self.ids = np.zeros(0, dtype="S12")
        self.cols: dict[str, np.ndarray] = {}
        self._fill: dict[str, int] = {}
        self._sorted_ids = np.zeros(0, dtype="S12")
        self._sorted_keys = np.zeros(0, dtype=np.int32)
        self._recent: dict[bytes, int] = {}

    def add_column(self, name: str, dtype: DTypeLike, fill: int = 0) -> None:
        """A column with one value per key (capacity included), `fill` for new keys."""
        self.cols[name] = np.full(len(self.ids), fill, dtype=dtype)
        self._fill[name] = fill

    def _ensure(self, n: int) -> None:
        self.ids = grow(self.ids, n, b"")
        for name, arr in self.cols.items():
            self.cols[name] = grow(arr, n, self._fill.get(name, 0))

    def merge(self) -> None:
        """Fold the recent ids into the sorted lookup."""
        ids = self.ids[: self.n]
        order = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[order]
        self._sorted_keys = order.astype(np.int32)
        self._recent = {}

    @property
    def n_recent(self) -> int:
        return len(self._recent)

    def find(self, idb: bytes) -> int:
        """The key of a binary id, -1 if it has none."""
        k = self._recent.get(idb)
        if k is not None:
            return k
        s = self._sorted_ids
        if len(s):
            i = int(np.searchsorted(s, idb))
            if i < len(s) and bytes(s[i]) == idb.rstrip(b"\0"):
                return int(self._sorted_keys[i])
        return -1

    def key(self, idb: bytes) -> int:
        """The key of a binary id, created if missing."""
        k = self.find(idb)
        if k < 0:
            k = self.n
            self._ensure(k + 1)
            self.ids[k] = idb
            self.n += 1
            self._recent[idb] = k
            if len(self._recent) > max(4096, self.n // 32):
                self.merge()
        return k

    def keys(self, ids: list[bytes]) -> np.ndarray:
        """Keys of many binary ids, creating the missing ones (ids must be distinct)."""
        arr = np.array(ids, dtype="S12")
        keys = np.full(len(arr), -1, dtype=np.int64)
        s = self._sorted_ids
        if len(s):
            pos = np.minimum(np.searchsorted(s, arr), len(s) - 1)
            hit = s[pos] == arr
            keys[hit] = self._sorted_keys[pos[hit]]
        if self._recent:
            for i in np.flatnonzero(keys < 0):
                keys[i] = self._recent.get(ids[i], -1)
        miss = np.flatnonzero(keys < 0)
        if len(miss):
            base = self.n
            self._ensure(base + len(miss))
            self.ids[base : base + len(miss)] = arr[miss]
            keys[miss] = np.arange(base, base + len(miss))
            self.n += len(miss)
            if len(miss) + len(self._recent) > max(4096, self.n // 32):
                self.merge()
            else:
                for i in miss:
                    self._recent[ids[i]] = int(keys[i])
        return keys

    def nbytes(self) -> int:
        arrays = (self.ids, *self.cols.values(), self._sorted_ids, self._sorted_keys)
        return sum(a.nbytes for a in arrays) + approx_size(self._recent)
