"""Service history: attendance and no-shows per volunteer key, who served which need and beneficiary,
and minutes served per local day (for the recent load of the fairness term).

The recent load (minutes over the last `fairness_window_days` local days, per key) is computed once
per local day and kept up to date by `record` until the day changes.
"""

from datetime import datetime

import numpy as np

from . import timeutil as tu
from .keys import VolunteerKeys
from .parse import id_bytes
from .scoring import Weights
from .table import approx_size, grow
from .tasks import Codes


class ServiceHistory:
    def __init__(self, keys: VolunteerKeys, codes: Codes, weights: Weights):
        self._keys = keys
        self._codes = codes
        self._window = weights.fairness_window_days
        keys.add_column("attended", np.int32)
        keys.add_column("no_show", np.int32)
        self._n = 0
        self._key = np.zeros(0, dtype=np.int32)
        self._day = np.zeros(0, dtype=np.int32)
        self._min = np.zeros(0, dtype=np.int32)
        self.served_need: dict[int, set[int]] = {}  # need code -> keys that attended it
        self.served_benef: dict[int, set[int]] = {}  # beneficiary code -> keys
        self.vol_needs: dict[int, set[int]] = {}  # key -> need codes
        self.vol_benefs: dict[int, set[int]] = {}  # key -> beneficiary codes
        self._load_day: int | None = None

    @property
    def attended(self) -> np.ndarray:
        return self._keys.cols["attended"]

    @property
    def no_show(self) -> np.ndarray:
        return self._keys.cols["no_show"]

    def record(
        self, volunteer_id: str, need_id: str, beneficiary_key: str | None, attended: bool, at: datetime, minutes: int
    ) -> None:
        key = self._keys.key(id_bytes(volunteer_id))
        day = tu.local_day(tu.to_seconds(at))
        served = int(minutes) if attended else 0
        if attended:
            self.attended[key] += 1
            need = self._codes.need(id_bytes(need_id))
            self.served_need.setdefault(need, set()).add(key)
            self.vol_needs.setdefault(key, set()).add(need)
            if beneficiary_key is not None:
                b = self._codes.benef(str(beneficiary_key))
                self.served_benef.setdefault(b, set()).add(key)
                self.vol_benefs.setdefault(key, set()).add(b)
        else:
            self.no_show[key] += 1
        i = self._n
        self._key = grow(self._key, i + 1)
        self._day = grow(self._day, i + 1)
        self._min = grow(self._min, i + 1)
        self._key[i], self._day[i], self._min[i] = key, day, served
        self._n += 1
        today = self._load_day
        if today is not None and today - self._window < day <= today:
            self._keys.cols["load"][key] += served

    def recent_load(self, now: datetime) -> np.ndarray:
        """Minutes served per volunteer key over the last `fairness_window_days` local days."""
        today = tu.local_day(tu.to_seconds(now))
        if self._load_day != today:
            n = self._n
            day = self._day[:n]
            sel = (day > today - self._window) & (day <= today)
            load = np.bincount(self._key[:n][sel], weights=self._min[:n][sel], minlength=len(self._keys.ids))
            # A per-key column from now on: grown with the keys, updated by `record`.
            self._keys.cols["load"] = load.astype(np.int32)
            self._load_day = today
        return self._keys.cols["load"]

    def nbytes(self) -> int:
        return (
            sum(a.nbytes for a in (self._key, self._day, self._min))
            + approx_size(self.served_need)
            + approx_size(self.served_benef)
            + approx_size(self.vol_needs)
            + approx_size(self.vol_benefs)
        )
