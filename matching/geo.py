"""Great-circle distance (geopy's formula, vectorised) and latitude-band keys for space.

Rows are filed under a grid key `band * N_COLS + col`: the latitude band is BAND_DEG high, and
within a band rows are ordered by longitude in LNG_STEP steps, so a band is one contiguous key
range. A search disk becomes one `[lo, hi]` key range per band of its bounding box: a few scalar
formulas and numpy calls, no per-cell work.
"""

import math

import numpy as np

EARTH_RADIUS_KM = 6371.009  # geopy.distance.EARTH_RADIUS
BAND_DEG = 0.0025  # latitude band height in degrees (about 0.28 km)
LNG_STEP = 1e-6  # longitude resolution of the key within a band, degrees
N_ROWS = round(180 / BAND_DEG)
N_COLS = round(360 / LNG_STEP)
KEY_BITS = 45  # N_ROWS * N_COLS < 2**45; callers may put a group above the key
_MAX_LAT = 80.0  # disks reaching nearer the poles scan everything
_MAX_RHO = 0.2  # angular radius (rad) beyond which a disk scans everything
_RHO_MARGIN = 1e-7  # rad (0.6 m): absorbs rounding in the distance and the extent
_LNG_MARGIN = 1e-4  # degrees (about 10 m)


def great_circle_km(sin_lat1, cos_lat1, lng1, sin_lat2, cos_lat2, lng2):
    """geopy.distance.great_circle's formula on precomputed sines/cosines (radians)."""
    delta = lng2 - lng1
    cos_d = np.cos(delta)
    sin_d = np.sin(delta)
    a = cos_lat2 * sin_d
    b = cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_d
    return EARTH_RADIUS_KM * np.arctan2(np.sqrt(a * a + b * b), sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_d)


def trig(lat, lng):
    """(sin lat, cos lat, lng in radians) of degrees, scalars or arrays."""
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    return np.sin(lat_r), np.cos(lat_r), np.radians(np.asarray(lng, dtype=np.float64))


def distance_km(lat1, lng1, lat2, lng2):
    return great_circle_km(*trig(lat1, lng1), *trig(lat2, lng2))


def grid_key(lat, lng) -> np.ndarray:
    """Grid keys (uint64) of points given in degrees."""
    row = np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / BAND_DEG)
    col = np.floor((np.asarray(lng, dtype=np.float64) + 180.0) / LNG_STEP)
    return (
        np.clip(row, 0, N_ROWS - 1).astype(np.int64) * N_COLS + np.clip(col, 0, N_COLS - 1).astype(np.int64)
    ).astype(np.uint64)


def bounding_box(lat: float, lng: float, radius_km: float):
    """(first band, last band, west, east) of a box holding every point within `radius_km` of
    (lat, lng), longitudes in degrees; None when the disk is unbounded, too wide, or near a pole
    or the antimeridian (callers then scan everything).

    A disk of angular radius rho spans latitudes lat +- rho and, since it does not reach a pole,
    longitudes lng +- asin(sin rho / cos lat); rho and the longitudes carry margins far above the
    rounding errors of the distance and of this arithmetic.
    """
    rho = radius_km / EARTH_RADIUS_KM * (1 + 1e-9) + _RHO_MARGIN
    if not rho <= _MAX_RHO:
        return None
    reach = math.degrees(rho)
    if abs(lat) + reach > _MAX_LAT:
        return None
    w = math.degrees(math.asin(math.sin(rho) / math.cos(math.radians(lat)))) + _LNG_MARGIN
    if lng - w < -180.0 or lng + w > 180.0:
        return None
    first = math.floor((lat - reach + 90.0) / BAND_DEG)
    return first, math.floor((lat + reach + 90.0) / BAND_DEG), lng - w, lng + w


def grid_ranges(lat: float, lng: float, radii):
    """Grid key ranges of the bounding boxes of the disks of the given radii (km) around (lat, lng).

    Returns (lo, hi, valid), arrays of shape (len(radii), n): for disk i, every point within
    radii[i] has a key in one of the ranges [lo[i, j], hi[i, j]] with valid[i, j], one per
    latitude band, in key order; or None when a disk has no `bounding_box`.
    """
    boxes = [bounding_box(lat, lng, r) for r in radii]
    if None in boxes:
        return None
    first, last, west, east = (np.array(x) for x in zip(*boxes))
    rows = np.arange(first.min(), last.max() + 1)
    base = rows * N_COLS
    valid = (rows >= first[:, None]) & (rows <= last[:, None])
    lo = base + np.floor((west + 180.0) / LNG_STEP).astype(np.int64)[:, None]
    hi = base + np.floor((east + 180.0) / LNG_STEP).astype(np.int64)[:, None]
    return lo.astype(np.uint64), hi.astype(np.uint64), valid
