"""Brute-force reference: the matching rules evaluated on every row by their own, plain code.

`Reference(volunteers, tasks)` keeps its own data, built from the same documents the index is fed,
takes the same engagement facts (`add_commitment`, `record_service`), and answers
`recommend_volunteers`, `recommend_tasks` and `open_tasks` with the signatures and results of
`MatchingIndex`. Every hard constraint is evaluated on every volunteer (resp. task) with numpy over
all rows: no index tables, no spatial candidates, no posting lists, no pruning, no threshold search.
The tests and the benchmark require identical results (ids, order, scores, reasons).

Shared with the index because they *define* the answer: the vocabularies (`catalogue`), the score,
its weights and the reasons' text (`scoring`), the great-circle formula (`geo.great_circle_km` on
`geo.trig`, always called task first, so distances and scores are bit-identical), calendar arithmetic
(`timeutil`: whole epoch seconds with starts rounded down and ends rounded up, local days and ISO
weeks in UTC+8), the result types and the errors.

The rules, as this module reads them:
- skills: the volunteer's level of each required skill (the highest if listed twice) >= the task's
  min level (the highest if listed twice);
- credentials: for each required kind, the latest `expires_on` of that kind >= the task's last local
  date (the local date of its last second);
- distance <= the volunteer's travel radius and <= the search radius;
- availability: a weekly slot is (ISO weekday - 1) * 24 + local hour; a task touches every hour from
  the one its start falls in to the one its last second falls in (at least one, all 168 for a week
  or more); each must be in one of the volunteer's windows, unless the task is EMERGENCY and the
  volunteer an emergency responder; no blackout date between the task's first and last local dates;
- commitments: none overlapping [start, end) of the task, none to the task itself, and the seconds of
  the volunteer's commitments inside the local ISO week (Monday 00:00) of the task's start, plus the
  task's duration, <= `max_hours_per_week` (none given: 168 hours).
Ranking: best score first, ties by ascending id; `open_tasks` by (distance, id), the cursor being
the last (distance, id) shown.

EMERGENCY tasks rank volunteers nearest first (score = the distance term alone) and are searched
straight at the cap radius (`radius_km`, else `Weights.emergency_max_radius_km`). The index grows its
radius ring by ring and stops at the first ring holding `first` feasible volunteers; with nearest-first
ranking those are exactly the `first` nearest within the cap, so both answers are the same.
"""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import numpy as np

from . import geo
from . import timeutil as tu
from .catalogue import CATEGORIES, CREDENTIALS, LANGUAGES, SKILLS, UTC_OFFSET_HOURS
from .errors import UnknownTask, UnknownVolunteer
from .results import OpenTaskHit, OpenTasksPage, TaskMatch, VolunteerMatch
from .scoring import BENEFICIARY_WORD, DEFAULT_WEIGHTS, Weights, proximity, reasons, score, skill_surplus

LOCAL = timezone(timedelta(hours=UTC_OFFSET_HOURS))
WEEK_HOURS = 168
NO_CREDENTIAL = np.iinfo(np.int64).min
_SKILL = {code: i for i, code in enumerate(SKILLS)}
_CREDENTIAL = {code: i for i, code in enumerate(CREDENTIALS)}
_LANGUAGE = {code: i for i, code in enumerate(LANGUAGES)}
_CATEGORY = {code: i for i, code in enumerate(CATEGORIES)}


def _norm(hex_id: str) -> str:
    """Ids are hex strings of binary ids: compared and returned in lower case."""
    return bytes.fromhex(hex_id).hex()


def _latest(docs: Iterable[dict]) -> dict[str, dict]:
    """Documents by id; the last document of an id wins."""
    return {_norm(d["_id"]): d for d in docs}


def _slots(start_s: int, end_s: int) -> tuple[int, int]:
    """(first weekly slot, number of consecutive slots) that the task [start, end) touches."""
    local = datetime.fromtimestamp(start_s, LOCAL)
    hour_start = start_s - local.minute * 60 - local.second
    n = -(-(end_s - hour_start) // 3600)
    return (local.isoweekday() - 1) * 24 + local.hour, min(max(n, 1), WEEK_HOURS)


class _Volunteers:
    """Column arrays over every volunteer document, active or not (row = position in `ids`)."""

    def __init__(self, docs: Iterable[dict]):
        by_id = _latest(docs)
        n = len(by_id)
        self.ids = list(by_id)
        self.row = {vid: i for i, vid in enumerate(self.ids)}
        self.id_arr = np.array(self.ids, dtype="U24")
        self.level = np.zeros((len(SKILLS), n), dtype=np.int8)
        self.expires = np.full((len(CREDENTIALS), n), NO_CREDENTIAL, dtype=np.int64)
        self.speaks = np.zeros((len(LANGUAGES), n), dtype=np.bool_)
        self.avail = np.zeros((WEEK_HOURS, n), dtype=np.bool_)  # avail[slot, row]
        lat, lng, radius, max_s, active, responder = [], [], [], [], [], []
        skill_at: list[tuple[int, int, int]] = []  # (skill, row, level)
        cred_at: list[tuple[int, int, int]] = []  # (credential, row, expiry day)
        lang_at: list[tuple[int, int]] = []  # (language, row)
        b_row: list[int] = []
        b_day: list[int] = []
        windows: dict[tuple, list[int]] = {}
        for i, d in enumerate(by_id.values()):
            active.append(bool(d.get("active", True)))
            lat.append(float(d["home"]["lat"]))
            lng.append(float(d["home"]["lng"]))
            radius.append(float(d["travel_radius_km"]))
            mh = d.get("max_hours_per_week")
            max_s.append(WEEK_HOURS * 3600 if mh is None else round(float(mh) * 3600))
            responder.append(bool(d.get("emergency_responder", False)))
            for s in d.get("skills") or ():
                skill_at.append((_SKILL[s["code"]], i, int(s["level"])))
            for c in d.get("credentials") or ():
                cred_at.append((_CREDENTIAL[c["kind"]], i, tu.date_to_day(c["expires_on"])))
            for code in d.get("languages") or ():
                lang_at.append((_LANGUAGE[code], i))
            for day in {tu.date_to_day(s) for s in d.get("blackout_dates") or ()}:
                b_row.append(i)
                b_day.append(day)
            key = tuple(
                (int(w["weekday"]), int(w["start_hour"]), int(w["end_hour"])) for w in d.get("availability") or ()
            )
            windows.setdefault(key, []).append(i)
        skill = np.array(skill_at, dtype=np.int64).reshape(-1, 3)
        np.maximum.at(self.level, (skill[:, 0], skill[:, 1]), skill[:, 2].astype(np.int8))
        cred = np.array(cred_at, dtype=np.int64).reshape(-1, 3)
        np.maximum.at(self.expires, (cred[:, 0], cred[:, 1]), cred[:, 2])
        lang = np.array(lang_at, dtype=np.int64).reshape(-1, 2)
        self.speaks[lang[:, 0], lang[:, 1]] = True
        for key, rows in windows.items():
            slots = sorted({(day - 1) * 24 + h for day, s, e in key for h in range(s, e)})
            self.avail[np.ix_(slots, rows)] = True
        self.active = np.array(active, dtype=np.bool_)
        self.sin_lat, self.cos_lat, self.lng_rad = geo.trig(np.array(lat, dtype=np.float64), np.array(lng))
        self.radius = np.array(radius, dtype=np.float64)
        self.max_sec = np.array(max_s, dtype=np.int64)
        self.responder = np.array(responder, dtype=np.bool_)
        self.b_row = np.array(b_row, dtype=np.int64)
        self.b_day = np.array(b_day, dtype=np.int64)


class _Tasks:
    """Column arrays over every task document (row = position in `ids`)."""

    def __init__(self, docs: Iterable[dict], need_code: dict[str, int], benef_code: dict[str, int]):
        by_id = _latest(docs)
        m = len(by_id)
        self.ids = list(by_id)
        self.row = {tid: i for i, tid in enumerate(self.ids)}
        self.id_arr = np.array(self.ids, dtype="U24")
        self.req = np.zeros((len(SKILLS), m), dtype=np.int8)  # min level, 0 = not required
        self.creds = np.zeros((len(CREDENTIALS), m), dtype=np.bool_)
        self.langs = np.zeros((len(LANGUAGES), m), dtype=np.bool_)
        lat, lng, is_open, emergency = [], [], [], []
        ints: dict[str, list[int]] = {
            name: [] for name in ("start", "end", "category", "need", "benef", "first_day", "last_day", "week_start")
        }
        first_slot, n_slots = [], []
        for i, d in enumerate(by_id.values()):
            for r in d.get("required_skills") or ():
                k = _SKILL[r["code"]]
                self.req[k, i] = max(int(self.req[k, i]), int(r["min_level"]))
            for kind in d.get("required_credentials") or ():
                self.creds[_CREDENTIAL[kind], i] = True
            for code in d.get("languages") or ():
                self.langs[_LANGUAGE[code], i] = True
            lat.append(float(d["location"]["lat"]))
            lng.append(float(d["location"]["lng"]))
            is_open.append(d["status"] == "OPEN" and int(d["filled"]) < int(d["slots"]))
            emergency.append(d["urgency"] == "EMERGENCY")
            start, end = tu.to_seconds(d["starts_at"]), tu.to_seconds_ceil(d["ends_at"])
            benef = d.get("beneficiary_key")
            row = {
                "start": start,
                "end": end,
                "category": _CATEGORY[d["category"]],
                "need": need_code.setdefault(_norm(d["need_id"]), len(need_code)),
                "benef": -1 if benef is None else benef_code.setdefault(str(benef), len(benef_code)),
                "first_day": tu.local_day(start),
                "last_day": tu.local_day(max(start, end - 1)),  # the local date of its last second
                "week_start": tu.week_start(tu.iso_week(start)),
            }
            for name, value in row.items():
                ints[name].append(value)
            first, n = _slots(start, end)
            first_slot.append(first)
            n_slots.append(n)
        self.sin_lat, self.cos_lat, self.lng_rad = geo.trig(np.array(lat, dtype=np.float64), np.array(lng))
        self.open = np.array(is_open, dtype=np.bool_)
        self.emergency = np.array(emergency, dtype=np.bool_)
        self.start, self.end, self.category, self.need, self.benef, self.first_day, self.last_day, self.week_start = (
            np.array(values, dtype=np.int64) for values in ints.values()
        )
        self.first_slot = np.array(first_slot, dtype=np.int64)
        self.n_slots = np.array(n_slots, dtype=np.int64)
        self.n_req = (self.req > 0).sum(axis=0)
        self.req_sum = self.req.sum(axis=0, dtype=np.int64)

    def required(self, i: int) -> list[str]:
        """Codes of the skills task i requires, in catalogue order."""
        return [SKILLS[s] for s in np.flatnonzero(self.req[:, i])]

    def slots(self, i: int) -> list[int]:
        return [(int(self.first_slot[i]) + k) % WEEK_HOURS for k in range(int(self.n_slots[i]))]


class Reference:
    """Volunteers and tasks from documents, commitments and service records; the matching queries."""

    def __init__(self, volunteers: Iterable[dict] = (), tasks: Iterable[dict] = (), weights: Weights = DEFAULT_WEIGHTS):
        self.weights = weights
        self._need_code: dict[str, int] = {}
        self._benef_code: dict[str, int] = {}
        self._vols = _Volunteers(volunteers)
        self._tasks = _Tasks(tasks, self._need_code, self._benef_code)
        n = len(self._vols.ids)
        self._commitments: dict[tuple[int, str], tuple[int, int]] = {}  # (row, task id) -> (start, end)
        self._commitment_cache: tuple[np.ndarray, ...] | None = None
        self._attended = np.zeros(n, dtype=np.int64)
        self._no_show = np.zeros(n, dtype=np.int64)
        self._served_need: dict[int, set[int]] = {}  # need code -> rows that attended it
        self._served_benef: dict[int, set[int]] = {}
        self._needs_of: dict[int, set[int]] = {}  # row -> need codes
        self._benefs_of: dict[int, set[int]] = {}
        self._service: list[tuple[int, int, int]] = []  # (row, local day, minutes served)
        self._service_cache: np.ndarray | None = None

    # ----------------------------------------------------------------- facts
    def add_commitment(self, volunteer_id: str, task_id: str, starts_at: datetime, ends_at: datetime) -> None:
        """The volunteer holds [starts_at, ends_at) for the task (replacing an earlier one for it)."""
        row = self._vols.row.get(_norm(volunteer_id))
        if row is not None:  # facts about volunteers without a document change no answer
            self._commitments[(row, _norm(task_id))] = (tu.to_seconds(starts_at), tu.to_seconds_ceil(ends_at))
            self._commitment_cache = None

    def record_service(
        self, volunteer_id: str, need_id: str, beneficiary_key: str | None, attended: bool, at: datetime, minutes: int
    ) -> None:
        row = self._vols.row.get(_norm(volunteer_id))
        if row is None:
            return
        if attended:
            self._attended[row] += 1
            need = self._need_code.setdefault(_norm(need_id), len(self._need_code))
            self._served_need.setdefault(need, set()).add(row)
            self._needs_of.setdefault(row, set()).add(need)
            if beneficiary_key is not None:
                b = self._benef_code.setdefault(str(beneficiary_key), len(self._benef_code))
                self._served_benef.setdefault(b, set()).add(row)
                self._benefs_of.setdefault(row, set()).add(b)
        else:
            self._no_show[row] += 1
        self._service.append((row, tu.local_day(tu.to_seconds(at)), int(minutes) if attended else 0))
        self._service_cache = None

    def _commitment_arrays(self) -> tuple[np.ndarray, ...]:
        """(volunteer row, task row or -1, start, end) of every commitment."""
        if self._commitment_cache is None:
            items = list(self._commitments.items())
            self._commitment_cache = (
                np.array([row for (row, _), _ in items], dtype=np.int64),
                np.array([self._tasks.row.get(tid, -1) for (_, tid), _ in items], dtype=np.int64),
                np.array([s for _, (s, _) in items], dtype=np.int64),
                np.array([e for _, (_, e) in items], dtype=np.int64),
            )
        return self._commitment_cache

    def _recent_load(self, now: datetime) -> np.ndarray:
        """Minutes served per volunteer row in the last `fairness_window_days` local days up to `now`."""
        today = tu.local_day(tu.to_seconds(now))
        if self._service_cache is None:
            self._service_cache = np.array(self._service, dtype=np.int64).reshape(-1, 3)
        row, day, minutes = self._service_cache.T
        recent = (day > today - self.weights.fairness_window_days) & (day <= today)
        return np.bincount(row[recent], weights=minutes[recent], minlength=len(self._vols.ids)).astype(np.int64)

    # ----------------------------------------------------------------- volunteers for a task
    def _feasible_volunteers(self, i: int, search_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Mask of the volunteers that may take task i, and every volunteer's distance to it."""
        V, T = self._vols, self._tasks
        ok = V.active.copy()
        for s in np.flatnonzero(T.req[:, i]):
            ok &= V.level[s] >= T.req[s, i]
        for c in np.flatnonzero(T.creds[:, i]):
            ok &= V.expires[c] >= T.last_day[i]
        available = np.ones(len(ok), dtype=np.bool_)
        for slot in T.slots(i):
            available &= V.avail[slot]
        if T.emergency[i]:
            available |= V.responder
        ok &= available
        d = geo.great_circle_km(T.sin_lat[i], T.cos_lat[i], T.lng_rad[i], V.sin_lat, V.cos_lat, V.lng_rad)
        ok &= (d <= V.radius) & (d <= search_km)
        on_leave = (V.b_day >= T.first_day[i]) & (V.b_day <= T.last_day[i])
        ok[V.b_row[on_leave]] = False
        c_row, c_task, cs, ce = self._commitment_arrays()
        start, end = T.start[i], T.end[i]
        ok[c_row[c_task == i]] = False
        ok[c_row[(cs < end) & (ce > start)]] = False
        ws = T.week_start[i]
        in_week = np.clip(np.minimum(ce, ws + tu.WEEK_S) - np.maximum(cs, ws), 0, None)
        committed = np.bincount(c_row, weights=in_week, minlength=len(ok))
        ok &= committed + (end - start) <= V.max_sec
        return ok, d

    def recommend_volunteers(
        self, task_id: str, now: datetime, first: int = 10, radius_km: float | None = None
    ) -> list[VolunteerMatch]:
        i = self._tasks.row.get(_norm(task_id))
        if i is None:
            raise UnknownTask(task_id)
        V, T, w = self._vols, self._tasks, self.weights
        nearest = bool(T.emergency[i])
        if nearest:
            search = w.emergency_max_radius_km if radius_km is None else float(radius_km)
        else:
            search = math.inf if radius_km is None else float(radius_km)
        ok, d_all = self._feasible_volunteers(i, search)
        rows = np.flatnonzero(ok)
        d = d_all[rows]
        level_sum = np.zeros(len(rows), dtype=np.int64)
        for code in T.required(i):
            level_sum += V.level[_SKILL[code], rows]
        lang = V.speaks[np.ix_(np.flatnonzero(T.langs[:, i]), rows)].any(axis=0).astype(np.float64)
        cont = np.zeros(len(rows))
        cont[np.isin(rows, list(self._served_need.get(int(T.need[i]), ())))] = w.continuity_need
        cont[np.isin(rows, list(self._served_benef.get(int(T.benef[i]), ())))] = 1.0
        att, ns, load = self._attended[rows], self._no_show[rows], self._recent_load(now)[rows]
        if nearest:
            sc = proximity(w, d)
            order = np.lexsort((V.id_arr[rows], d))
        else:
            sc = score(w, d, skill_surplus(level_sum, T.req_sum[i], T.n_req[i]), lang, cont, att, ns, load)
            order = np.lexsort((V.id_arr[rows], -sc))
        names = T.required(i)
        out = []
        for j in order[: max(first, 0)].tolist():
            r = rows[j]
            responder = nearest and bool(V.responder[r])
            why = self._reasons(r, i, float(d[j]), float(cont[j]), int(att[j]), int(ns[j]), int(load[j]), responder)
            out.append(VolunteerMatch(V.ids[r], float(sc[j]), float(d[j]), names, [], why))
        return out

    def _reasons(
        self, r: int, i: int, d: float, cont: float, att: int, ns: int, load: int, responder: bool = False
    ) -> list[str]:
        """The reasons for volunteer r and task i."""
        V, T = self._vols, self._tasks
        return reasons(
            self.weights,
            distance_km=d,
            skills=[(code, int(V.level[_SKILL[code], r]), int(T.req[_SKILL[code], i])) for code in T.required(i)],
            languages=[code for k, code in enumerate(LANGUAGES) if V.speaks[k, r] and T.langs[k, i]],
            continuity=cont,
            beneficiary_word=BENEFICIARY_WORD.get(CATEGORIES[T.category[i]], "person"),
            attended=att,
            no_show=ns,
            recent_minutes=load,
            emergency_responder=responder,
        )

    # ----------------------------------------------------------------- tasks for a volunteer
    def _feasible_tasks(self, r: int, now_s: int) -> tuple[np.ndarray, np.ndarray]:
        """Mask of the open tasks starting after `now_s` that volunteer r may take, and distances."""
        V, T = self._vols, self._tasks
        ok = T.open & (T.start > now_s)
        ok &= (T.req <= V.level[:, r : r + 1]).all(axis=0)
        ok &= (~T.creds | (V.expires[:, r : r + 1] >= T.last_day)).all(axis=0)
        available = np.ones(len(ok), dtype=np.bool_)
        for k in range(int(T.n_slots.max(initial=0))):
            available &= (k >= T.n_slots) | V.avail[(T.first_slot + k) % WEEK_HOURS, r]
        if V.responder[r]:
            available |= T.emergency
        ok &= available
        d = geo.great_circle_km(T.sin_lat, T.cos_lat, T.lng_rad, V.sin_lat[r], V.cos_lat[r], V.lng_rad[r])
        ok &= d <= V.radius[r]
        for day in V.b_day[V.b_row == r].tolist():
            ok &= ~((T.first_day <= day) & (day <= T.last_day))
        c_row, c_task, cs, ce = self._commitment_arrays()
        mine = c_row == r
        committed = np.zeros(len(ok))
        for task, s, e in zip(c_task[mine].tolist(), cs[mine].tolist(), ce[mine].tolist()):
            ok &= ~((s < T.end) & (e > T.start))
            committed += np.clip(np.minimum(e, T.week_start + tu.WEEK_S) - np.maximum(s, T.week_start), 0, None)
            if task >= 0:
                ok[task] = False
        ok &= committed + (T.end - T.start) <= V.max_sec[r]
        return ok, d

    def recommend_tasks(self, volunteer_id: str, now: datetime, first: int = 10) -> list[TaskMatch]:
        r = self._vols.row.get(_norm(volunteer_id))
        if r is None or not self._vols.active[r]:
            raise UnknownVolunteer(volunteer_id)
        V, T, w = self._vols, self._tasks, self.weights
        ok, d_all = self._feasible_tasks(r, tu.to_seconds(now))
        rows = np.flatnonzero(ok)
        d = d_all[rows]
        level_sum = (V.level[:, r : r + 1].astype(np.int64) * (T.req[:, rows] > 0)).sum(axis=0)
        surplus = skill_surplus(level_sum, T.req_sum[rows], T.n_req[rows])
        lang = (T.langs[:, rows] & V.speaks[:, r : r + 1]).any(axis=0).astype(np.float64)
        cont = np.zeros(len(rows))
        cont[np.isin(T.need[rows], list(self._needs_of.get(r, ())))] = w.continuity_need
        cont[np.isin(T.benef[rows], list(self._benefs_of.get(r, ())))] = 1.0
        att, ns = int(self._attended[r]), int(self._no_show[r])
        load = int(self._recent_load(now)[r])
        sc = score(w, d, surplus, lang, cont, att, ns, load)
        out = []
        for j in np.lexsort((T.id_arr[rows], -sc))[: max(first, 0)].tolist():
            i = rows[j]
            why = self._reasons(r, i, float(d[j]), float(cont[j]), att, ns, load)
            out.append(TaskMatch(T.ids[i], float(sc[j]), float(d[j]), why))
        return out

    # ----------------------------------------------------------------- listing
    def open_tasks(
        self,
        lat: float,
        lng: float,
        radius_km: float,
        categories: Iterable[str] | None = None,
        skills: Iterable[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        first: int = 20,
        after: tuple[float, str] | None = None,
        now: datetime | None = None,
    ) -> OpenTasksPage:
        T = self._tasks
        ok = T.open.copy()
        if now is not None:
            ok &= T.end > tu.to_seconds(now)
        if start is not None:
            ok &= T.end > tu.to_seconds(start)
        if end is not None:
            ok &= T.start < tu.to_seconds_ceil(end)
        if categories is not None:
            ok &= np.isin(T.category, [_CATEGORY[c] for c in categories])
        if skills is not None:
            ok &= (T.req[[_SKILL[s] for s in skills]] > 0).any(axis=0)
        d = geo.great_circle_km(T.sin_lat, T.cos_lat, T.lng_rad, *geo.trig(lat, lng))
        ok &= d <= radius_km
        rows = np.flatnonzero(ok)
        total = len(rows)
        if after is not None:
            a_d, a_id = float(after[0]), _norm(after[1])
            rows = rows[(d[rows] > a_d) | ((d[rows] == a_d) & (T.id_arr[rows] > a_id))]
        rows = rows[np.lexsort((T.id_arr[rows], d[rows]))]
        items = [OpenTaskHit(T.ids[i], float(d[i])) for i in rows[: max(first, 0)].tolist()]
        cursor = (items[-1].distance_km, items[-1].task_id) if items else None
        return OpenTasksPage(items, total, len(rows) > first, cursor)
