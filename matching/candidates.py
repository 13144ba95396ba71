"""Spatial candidates: the rows whose grid keys fall in the bounding box of a search disk.

A disk becomes one key range per latitude band (`geo.grid_ranges`); `searchsorted` turns the ranges
into main-row slices, and every delta row is added. Volunteers are searched per travel-radius class,
each only as far as that class can travel, and when the task requires skills only the main rows of
the rarest required skill's posting list are taken. Near a pole or the antimeridian, or for
unbounded radii, every main row is a candidate. Candidates are a superset: the constraints decide.
"""

from types import SimpleNamespace

import numpy as np

from . import geo
from .catalogue import SKILLS
from .table import expand_ranges
from .tasks import TaskTable
from .volunteers import VolunteerTable


def volunteer_candidates(vols: VolunteerTable, t: SimpleNamespace, search_km: float) -> np.ndarray:
    """Rows of every radius class within min(search, the class's longest travel radius) of task t
    (main rows holding the task's rarest required skill only), plus every delta row."""
    vol = vols.table
    delta = np.arange(vol.n_main, vol.n)
    off = vol.group_off
    groups = np.flatnonzero(off[1:] > off[:-1])
    if not len(groups):
        return delta
    radii = np.minimum(vols.group_max[groups], search_km).tolist()
    ranges = geo.grid_ranges(t.lat, t.lng, radii)
    if ranges is None:
        starts, ends = np.zeros(1, dtype=np.int64), np.array([vol.n_main])
    else:
        lo, hi, valid = ranges
        shift = (groups.astype(np.uint64) << np.uint64(geo.KEY_BITS))[:, None]
        starts, ends = vol.row_ranges((lo | shift)[valid], (hi | shift)[valid])
    if t.p0:
        so = vols.skill_off
        b = min((b for b in range(len(SKILLS)) if t.p0 >> b & 1), key=lambda b: so[b + 1] - so[b])
        holders = vols.skill_rows[so[b] : so[b + 1]]
        main = holders[
            expand_ranges(
                np.searchsorted(holders, starts.astype(np.int32)), np.searchsorted(holders, ends.astype(np.int32))
            )
        ]
    else:
        main = expand_ranges(starts, ends)
    return np.concatenate([main, delta])


def task_candidates(tasks: TaskTable, lat: float, lng: float, radius_km: float) -> np.ndarray:
    """Task rows in the bounding box of the disk, plus every delta row."""
    task = tasks.table
    ranges = geo.grid_ranges(lat, lng, (radius_km,))
    if ranges is None:
        return np.arange(task.n)
    lo, hi, valid = ranges
    starts, ends = task.row_ranges(lo[valid], hi[valid])
    rows = expand_ranges(starts, ends)
    if task.n > task.n_main:
        rows = np.concatenate([rows, np.arange(task.n_main, task.n)])
    return rows
