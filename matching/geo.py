"""Great-circle distance (geopy's formula, vectorised) and h3 candidate cell ranges."""

import math

import h3
import numpy as np

EARTH_RADIUS_KM = 6371.009  # geopy.distance.EARTH_RADIUS
STORE_RES = 8               # every row is filed under its resolution-8 cell
_QUERY_RES = (8, 7, 6, 5)   # coarser disks are used for wider searches
_MAX_K = 6                  # widest disk walked before falling back to a coarser resolution
_RES_MASK = np.uint64(0xF << 52)


def great_circle_km(sin_lat1, cos_lat1, lng1, sin_lat2, cos_lat2, lng2):
    """geopy.distance.great_circle's formula on precomputed sines/cosines (radians)."""
    delta = lng2 - lng1
    cos_d = np.cos(delta)
    sin_d = np.sin(delta)
    a = cos_lat2 * sin_d
    b = cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_d
    return EARTH_RADIUS_KM * np.arctan2(np.sqrt(a * a + b * b),
                                        sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_d)


def trig(lat, lng):
    """(sin lat, cos lat, lng in radians) of degrees, scalars or arrays."""
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    return np.sin(lat_r), np.cos(lat_r), np.radians(np.asarray(lng, dtype=np.float64))


def distance_km(lat1, lng1, lat2, lng2):
    return great_circle_km(*trig(lat1, lng1), *trig(lat2, lng2))


def cell_of(lat: float, lng: float) -> int:
    return h3.api.basic_int.latlng_to_cell(lat, lng, STORE_RES)


_edge_cache: dict[int, tuple[float, float]] = {}
_disk_cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _edge_bounds(cell: int) -> tuple[float, float]:
    """Shortest and longest edge (km) of `cell`: a local measure of the grid's spacing."""
    hit = _edge_cache.get(cell)
    if hit is None:
        pts = h3.api.basic_int.cell_to_boundary(cell)
        lens = [float(distance_km(*pts[i], *pts[(i + 1) % len(pts)])) for i in range(len(pts))]
        hit = _edge_cache[cell] = (min(lens), max(lens))
        if len(_edge_cache) > 100_000:
            _edge_cache.clear()
    return hit


def disk_k(radius_km: float, e_min: float, e_max: float) -> int:
    """Grid distance that covers every point within `radius_km` of a point in the centre cell.

    Two cells `n` steps apart have centres at least 1.5*edge*n apart, and a point lies within one
    circumradius (= edge) of its cell's centre; 15 % margins absorb the grid's local distortion.
    """
    return math.ceil((radius_km + 2 * e_max * 1.15) / (1.5 * e_min * 0.85))


def child_ranges(cells: np.ndarray, res: int) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive [lo, hi] bounds of the STORE_RES descendants of res-`res` cells, as uint64."""
    base = (cells & ~_RES_MASK) | np.uint64(STORE_RES << 52)
    clear = 0
    six = 0
    for r in range(res + 1, STORE_RES + 1):
        clear |= 7 << (3 * (15 - r))
        six |= 6 << (3 * (15 - r))
    lo = base & ~np.uint64(clear)
    return lo, lo | np.uint64(six)


def cell_ranges(lat: float, lng: float, radius_km: float):
    """Sorted (lo, hi) uint64 bounds of STORE_RES cells covering the disk, or None when too wide.

    The grid disk is a guaranteed superset; cells whose centre is farther than radius + one
    circumradius (= longest edge, with margin) cannot hold a point of the disk and are dropped.
    """
    if not math.isfinite(radius_km):
        return None
    for res in _QUERY_RES:
        cell = h3.api.basic_int.latlng_to_cell(lat, lng, res)
        e_min, e_max = _edge_bounds(cell)
        k = disk_k(radius_km, e_min, e_max)
        if k <= _MAX_K:
            break
    else:
        return None
    key = (cell, k)
    hit = _disk_cache.get(key)
    if hit is None:
        disk = np.sort(np.fromiter(h3.api.basic_int.grid_disk(cell, k), dtype=np.uint64))
        centres = np.array([h3.api.basic_int.cell_to_latlng(int(c)) for c in disk])
        hit = _disk_cache[key] = (*child_ranges(disk, res), *trig(centres[:, 0], centres[:, 1]))
        if len(_disk_cache) > 20_000:
            _disk_cache.clear()
    lo, hi, sin_c, cos_c, lng_c = hit
    near = great_circle_km(*trig(lat, lng), sin_c, cos_c, lng_c) <= radius_km + e_max * 1.15
    return lo[near], hi[near]
