"""Turning service-layer documents into column arrays (one Python pass, then numpy)."""

import numpy as np
from numpy.typing import DTypeLike

from . import geo
from . import timeutil as tu
from .catalogue import CATEGORIES, CREDENTIALS, LANGUAGE_BIT, SKILL_BIT, URGENCIES

N_LEVELS = 5
N_CRED = len(CREDENTIALS)
CRED_BIT = {c: i for i, c in enumerate(CREDENTIALS)}
CATEGORY_CODE = {c: i for i, c in enumerate(CATEGORIES)}
URGENCY_CODE = {u: i for i, u in enumerate(URGENCIES)}
EMERGENCY = URGENCY_CODE["EMERGENCY"]
NO_CREDENTIAL = np.iinfo(np.int32).min
NOT_LISTED = np.iinfo(np.int64).min  # `listed_end` of a task that is not open
N_SKILLS = len(SKILL_BIT)
RADIUS_CLASSES = np.array([2.0, 5.0, 10.0, 20.0, 30.0])  # volunteers are grouped by travel radius
UNLIMITED_WEEK_S = 168 * 3600


def id_bytes(hex_id: str) -> bytes:
    return bytes.fromhex(hex_id)


def mask_of(codes, bits: dict[str, int]) -> int:
    m = 0
    for c in codes:
        m |= 1 << bits[c]
    return m


def parse_volunteers(docs):
    """Returns (ids, active flags, column dict, blackout days flat list)."""
    ids, active, lat, lng, radius, langs, max_s, resp, bcount = ([] for _ in range(9))
    planes: list[list[int]] = [[] for _ in range(N_LEVELS)]
    creds: list[list[int]] = [[] for _ in range(N_CRED)]
    words: tuple[list[int], list[int], list[int]] = ([], [], [])
    bdays: list[int] = []
    avail_cache: dict[tuple, tuple[int, int, int]] = {}
    for d in docs:
        ids.append(id_bytes(d["_id"]))
        active.append(bool(d.get("active", True)))
        home = d["home"]
        la, ln = float(home["lat"]), float(home["lng"])
        lat.append(la)
        lng.append(ln)
        radius.append(float(d["travel_radius_km"]))
        p = [0] * N_LEVELS
        for s in d.get("skills") or ():
            bit = 1 << SKILL_BIT[s["code"]]
            for level in range(int(s["level"])):
                p[level] |= bit
        for level in range(N_LEVELS):
            planes[level].append(p[level])
        exp = [NO_CREDENTIAL] * N_CRED
        for c in d.get("credentials") or ():
            i = CRED_BIT[c["kind"]]
            exp[i] = max(exp[i], tu.date_to_day(c["expires_on"]))
        for i in range(N_CRED):
            creds[i].append(exp[i])
        langs.append(mask_of(d.get("languages") or (), LANGUAGE_BIT))
        av = d.get("availability") or ()
        key = tuple((w["weekday"], w["start_hour"], w["end_hour"]) for w in av)
        w3 = avail_cache.get(key)
        if w3 is None:
            w3 = avail_cache[key] = tu.split_words(tu.availability_mask(av))
        for i in range(3):
            words[i].append(w3[i])
        days = sorted({tu.date_to_day(s) for s in d.get("blackout_dates") or ()})
        bcount.append(len(days))
        bdays.extend(days)
        mh = d.get("max_hours_per_week")
        max_s.append(UNLIMITED_WEEK_S if mh is None else round(float(mh) * 3600))
        resp.append(bool(d.get("emergency_responder", False)))
    sin_lat, cos_lat, lng_rad = geo.trig(lat, lng)
    radius_a = np.array(radius, dtype=np.float64)
    group = np.searchsorted(RADIUS_CLASSES, radius_a, side="left").astype(np.uint8)
    cols = {
        "sin_lat": sin_lat,
        "cos_lat": cos_lat,
        "lng_rad": lng_rad,
        "radius": radius_a,
        "cell": (group.astype(np.uint64) << np.uint64(geo.KEY_BITS)) | geo.grid_key(lat, lng),
        "group": group,
        "langs": np.array(langs, dtype=np.uint16),
        "b_count": np.array(bcount, dtype=np.uint16),
        "max_sec": np.array(max_s, dtype=np.int32),
        "responder": np.array(resp, dtype=np.bool_),
    }
    for level in range(N_LEVELS):
        cols[f"p{level}"] = np.array(planes[level], dtype=np.uint32)
    for i in range(N_CRED):
        cols[f"c{i}"] = np.array(creds[i], dtype=np.int32)
    for i in range(3):
        cols[f"a{i}"] = np.array(words[i], dtype=np.uint64)
    return ids, np.array(active, dtype=np.bool_), cols, np.array(bdays, dtype=np.int32)


def parse_tasks(docs, need_code, benef_code):
    """Returns (ids, column dict); `need_code`/`benef_code` intern need ids and beneficiary keys."""
    rows = []
    ids = []
    for d in docs:
        ids.append(id_bytes(d["_id"]))
        la, ln = float(d["location"]["lat"]), float(d["location"]["lng"])
        start = tu.to_seconds(d["starts_at"])
        end = tu.to_seconds_ceil(d["ends_at"])
        req: dict[str, int] = {}
        for s in d.get("required_skills") or ():
            req[s["code"]] = max(req.get(s["code"], 0), int(s["min_level"]))
        p = [0] * N_LEVELS
        for code, lvl in req.items():
            for level in range(lvl):
                p[level] |= 1 << SKILL_BIT[code]
        w3 = tu.split_words(tu.window_slot_mask(start, end))
        benef = d.get("beneficiary_key")
        rows.append(
            (
                la,
                ln,
                start,
                end,
                d["status"] == "OPEN" and int(d["filled"]) < int(d["slots"]),
                CATEGORY_CODE[d["category"]],
                URGENCY_CODE[d["urgency"]],
                *p,
                mask_of(d.get("required_credentials") or (), CRED_BIT),
                mask_of(d.get("languages") or (), LANGUAGE_BIT),
                *w3,
                tu.local_day(start),
                tu.local_day(max(start, end - 1)),
                tu.iso_week(start),
                need_code(id_bytes(d["need_id"])),
                -1 if benef is None else benef_code(str(benef)),
                len(req),
                sum(req.values()),
            )
        )
    names = (
        "lat",
        "lng",
        "start",
        "end",
        "open",
        "category",
        "urgency",
        *(f"p{i}" for i in range(N_LEVELS)),
        "cred",
        "langs",
        "m0",
        "m1",
        "m2",
        "first_day",
        "last_day",
        "week",
        "need",
        "benef",
        "n_req",
        "req_sum",
    )
    cols = {}
    for i, name in enumerate(names):
        cols[name] = np.array([r[i] for r in rows], dtype=TASK_SCHEMA.get(name, np.uint64))
    cols["sin_lat"], cols["cos_lat"], cols["lng_rad"] = geo.trig(cols["lat"], cols["lng"])
    cols["cell"] = geo.grid_key(cols["lat"], cols["lng"])
    cols["listed_end"] = np.where(cols["open"], cols["end"], NOT_LISTED)
    cols["tags"] = cols["p0"] | (np.uint32(1) << (N_SKILLS + cols["category"]).astype(np.uint32))
    cols["tid"] = np.array(ids, dtype="S12")
    cols["group"] = np.zeros(len(ids), dtype=np.uint8)
    return ids, cols


VOLUNTEER_SCHEMA: dict[str, DTypeLike] = {
    "vkey": np.int32,
    "sin_lat": np.float64,
    "cos_lat": np.float64,
    "lng_rad": np.float64,
    "radius": np.float64,
    **{f"p{i}": np.uint32 for i in range(N_LEVELS)},
    **{f"c{i}": np.int32 for i in range(N_CRED)},
    "langs": np.uint16,
    "a0": np.uint64,
    "a1": np.uint64,
    "a2": np.uint64,
    "b_start": np.int64,
    "b_count": np.uint16,
    "max_sec": np.int32,
    "responder": np.bool_,
}

TASK_SCHEMA: dict[str, DTypeLike] = {
    "tid": "S12",
    "lat": np.float64,
    "lng": np.float64,
    "sin_lat": np.float64,
    "cos_lat": np.float64,
    "lng_rad": np.float64,
    "start": np.int64,
    "end": np.int64,
    "open": np.bool_,
    "category": np.uint8,
    "urgency": np.uint8,
    **{f"p{i}": np.uint32 for i in range(N_LEVELS)},
    "cred": np.uint8,
    "langs": np.uint16,
    "m0": np.uint64,
    "m1": np.uint64,
    "m2": np.uint64,
    "first_day": np.int32,
    "last_day": np.int32,
    "week": np.int32,
    "need": np.int32,
    "benef": np.int32,
    "n_req": np.uint8,
    "req_sum": np.int16,
    "cell": np.uint64,
    # For open_tasks: the end of an open task (NOT_LISTED otherwise or once it is replaced or
    # removed), and its required skills' bits with bit N_SKILLS + category set.
    "listed_end": np.int64,
    "tags": np.uint32,
}
