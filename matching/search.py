"""Ranked recommendations: the exact top-k volunteers for a task and tasks for a volunteer.

`volunteers` (non-emergency) is a threshold search: radius 1, 4, 16, 64 km...; it stops when the k-th
best score beats the best score any farther volunteer could reach (the distance term at the ring
radius + every other term at its maximum). Volunteers who served the task's need or beneficiary are
evaluated in the first ring whatever their distance, so continuity is not in that bound. Every row is
evaluated once: a per-query state array skips rows an earlier ring already saw, and each ring's
survivors keep their distance and score (a score does not depend on the radius). EMERGENCY tasks are
ranked nearest first (score = the distance term alone) and their radius grows through
`Weights.emergency_rings_km` up to the cap until `first` volunteers are found. Ties go by id, and the
reasons' inputs are gathered only for the top k.
"""

import math
from datetime import datetime
from types import SimpleNamespace

import numpy as np

from . import timeutil as tu
from .candidates import task_candidates, volunteer_candidates
from .catalogue import CATEGORIES, LANGUAGES, MAX_LEVEL, SKILLS
from .commitments import Commitments
from .constraints import feasible_tasks, feasible_volunteers
from .history import ServiceHistory
from .keys import VolunteerKeys
from .parse import EMERGENCY, N_LEVELS, SKILL_BIT
from .ranking import bit_names, hex_id, top
from .results import TaskMatch, VolunteerMatch
from .scoring import BENEFICIARY_WORD, LEVEL_SPAN, Weights, proximity, reasons, score, skill_surplus
from .tasks import TaskTable
from .volunteers import VolunteerTable

_RING_GROWTH = 4.0  # the threshold search's radius: 1 km, then this factor per ring


class Recommender:
    def __init__(
        self,
        weights: Weights,
        keys: VolunteerKeys,
        vols: VolunteerTable,
        tasks: TaskTable,
        commitments: Commitments,
        history: ServiceHistory,
    ):
        self.weights = weights
        self._keys = keys
        self._vols = vols
        self._tasks = tasks
        self._commitments = commitments
        self._history = history

    # ----------------------------------------------------------------- volunteers for a task
    def volunteers(self, task_id: str, now: datetime, first: int, radius_km: float | None) -> list[VolunteerMatch]:
        t = self._tasks.ctx(task_id)
        if first <= 0:
            return []
        w = self.weights
        if t.urgency == EMERGENCY:
            cap = w.emergency_max_radius_km if radius_km is None else float(radius_km)
            for r in [*(r for r in w.emergency_rings_km if r < cap), cap]:
                rows, d = self._feasible(t, volunteer_candidates(self._vols, t, r), r)
                if len(rows) >= first:
                    break
            sc = proximity(w, d)
            return self._volunteer_matches(t, rows, d, sc, top(-d, self._ids(rows), first), now, nearest=True)
        search = math.inf if radius_km is None else float(radius_km)
        rows, d, sc = self._threshold_search(t, now, first, search)
        return self._volunteer_matches(t, rows, d, sc, top(sc, self._ids(rows), first), now, nearest=False)

    def _ids(self, rows: np.ndarray) -> np.ndarray:
        return self._keys.ids[self._vols.table.cols["vkey"][rows]]

    def _feasible(self, t: SimpleNamespace, rows: np.ndarray, search_km: float) -> tuple[np.ndarray, np.ndarray]:
        return feasible_volunteers(self._vols, self._commitments, t, rows, search_km)

    def _score_bound(self, t: SimpleNamespace, radius_km: float) -> float:
        """Highest score a volunteer farther than `radius_km` who never served this task's need
        or beneficiary could reach (a small epsilon absorbs rounding)."""
        w = self.weights
        skill = (MAX_LEVEL * t.n_req - t.req_sum) / (LEVEL_SPAN * t.n_req) if t.n_req else 0.0
        return (
            w.distance * proximity(w, radius_km)
            + w.skill_surplus * skill
            + w.language * (1.0 if t.langs else 0.0)
            + w.reliability
            + w.fairness
            + 1e-9
        )

    def _threshold_search(
        self, t: SimpleNamespace, now: datetime, first: int, search: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact top-k by growing the radius until the k-th score beats every farther volunteer.

        Each row is evaluated once, in the first ring whose candidates hold it. Volunteers who
        served this need or beneficiary are evaluated in the first ring whatever their distance,
        so the bound for the unseen ones has no continuity term. Returns rows, distances, scores.
        """
        history = self._history
        served = set(history.served_need.get(t.need, ()))
        if t.benef >= 0:
            served |= history.served_benef.get(t.benef, set())
        pending = np.zeros(0, dtype=np.int64)
        if served:
            pending = self._keys.cols["row"][np.fromiter(served, dtype=np.int64)].astype(np.int64)
            pending = pending[pending >= 0]
        vol = self._vols.table
        reach = float(max(self._vols.group_max.max(), vol.cols["radius"][vol.n_main : vol.n].max(initial=0.0)))
        state = np.zeros(vol.n, dtype=np.int8)  # 1: served the need or beneficiary, 2: evaluated
        state[pending] = 1
        rows = np.zeros(0, dtype=np.int64)
        d = sc = np.zeros(0)
        was_served = np.zeros(0, dtype=np.bool_)
        r = 1.0
        while True:
            r_eff = min(r, search)
            new = volunteer_candidates(self._vols, t, r_eff)
            new = new[state[new] == 0]
            state[new] = 2
            new, new_d = self._feasible(t, np.concatenate([pending, new]), math.inf)
            new_served = state[new] == 1
            keep = ~new_served | (new_d <= search)
            new, new_d, new_served = new[keep], new_d[keep], new_served[keep]
            parts = self._volunteer_parts(t, new, now, continuity=len(pending) > 0)
            pending = pending[:0]
            rows = np.concatenate([rows, new])
            d = np.concatenate([d, new_d])
            sc = np.concatenate([sc, score(self.weights, new_d, *parts[1:])])
            was_served = np.concatenate([was_served, new_served])
            found = (d <= r_eff) | was_served
            if r_eff >= search or r_eff >= reach:
                return rows[found], d[found], sc[found]
            if found.sum() >= first:
                best = sc[found]
                kth = np.partition(best, len(best) - first)[len(best) - first]
                if kth > self._score_bound(t, r_eff):
                    return rows[found], d[found], best
            r *= _RING_GROWTH

    def _volunteer_parts(self, t: SimpleNamespace, rows: np.ndarray, now: datetime, continuity: bool = True):
        """Score inputs of the rows; `continuity=False` when none of them served the need."""
        V = self._vols.table.cols
        history = self._history
        keys = V["vkey"][rows]
        have = sum(np.bitwise_count(V[f"p{i}"][rows] & t.p0) for i in range(N_LEVELS))
        surplus = skill_surplus(have, t.req_sum, t.n_req)
        lang = ((V["langs"][rows] & t.langs) != 0).astype(np.float64)
        cont = np.zeros(len(rows))
        served = history.served_need.get(t.need) if continuity else None
        if served:
            cont[np.isin(keys, np.fromiter(served, dtype=np.int64))] = self.weights.continuity_need
        served = history.served_benef.get(t.benef) if continuity and t.benef >= 0 else None
        if served:
            cont[np.isin(keys, np.fromiter(served, dtype=np.int64))] = 1.0
        return (
            keys,
            surplus,
            lang,
            cont,
            history.attended[keys],
            history.no_show[keys],
            history.recent_load(now)[keys],
        )

    def _volunteer_matches(
        self,
        t: SimpleNamespace,
        rows: np.ndarray,
        d: np.ndarray,
        sc: np.ndarray,
        top_pos: np.ndarray,
        now: datetime,
        nearest: bool,
    ) -> list[VolunteerMatch]:
        """The rows at `top_pos` as matches, in that order, with their reasons."""
        w = self.weights
        keys, _, _, cont, att, ns, load = self._volunteer_parts(t, rows[top_pos], now)
        V = self._vols.table.cols
        required = bit_names(t.p0, SKILLS)
        word = BENEFICIARY_WORD.get(CATEGORIES[t.category], "person")
        out = []
        for j, i in enumerate(top_pos.tolist()):
            row = rows[i]
            levels = [sum((int(V[f"p{L}"][row]) >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)) for s in required]
            mins = [sum((t.p[L] >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)) for s in required]
            r = reasons(
                w,
                distance_km=float(d[i]),
                skills=list(zip(required, levels, mins)),
                languages=bit_names(int(V["langs"][row]) & t.langs, LANGUAGES),
                continuity=float(cont[j]),
                beneficiary_word=word,
                attended=int(att[j]),
                no_show=int(ns[j]),
                recent_minutes=int(load[j]),
                emergency_responder=nearest and bool(V["responder"][row]),
            )
            out.append(VolunteerMatch(hex_id(self._keys.ids[keys[j]]), float(sc[i]), float(d[i]), required, [], r))
        return out

    # ----------------------------------------------------------------- tasks for a volunteer
    def tasks(self, volunteer_id: str, now: datetime, first: int) -> list[TaskMatch]:
        v = self._vols.ctx(self._vols.row_of(volunteer_id))
        key = v.vkey
        w = self.weights
        history = self._history
        candidates = task_candidates(self._tasks, v.lat, v.lng, v.radius)
        rows, d = feasible_tasks(self._tasks, self._commitments, v, candidates, tu.to_seconds(now))
        T = self._tasks.table.cols
        have = sum(np.bitwise_count(T["p0"][rows] & v.p[i]) for i in range(N_LEVELS))
        surplus = skill_surplus(have, T["req_sum"][rows], T["n_req"][rows])
        lang = ((T["langs"][rows] & v.langs) != 0).astype(np.float64)
        cont = np.zeros(len(rows))
        needs = history.vol_needs.get(key)
        if needs:
            cont[np.isin(T["need"][rows], np.fromiter(needs, dtype=np.int64))] = w.continuity_need
        benefs = history.vol_benefs.get(key)
        if benefs:
            cont[np.isin(T["benef"][rows], np.fromiter(benefs, dtype=np.int64))] = 1.0
        att, ns = int(history.attended[key]), int(history.no_show[key])
        load = int(history.recent_load(now)[key])
        sc = score(w, d, surplus, lang, cont, att, ns, load)
        out = []
        for i in top(sc, T["tid"][rows], first).tolist():
            r = rows[i]
            required = bit_names(int(T["p0"][r]), SKILLS)
            skills = [
                (
                    s,
                    sum((v.p[L] >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)),
                    sum((int(T[f"p{L}"][r]) >> SKILL_BIT[s]) & 1 for L in range(N_LEVELS)),
                )
                for s in required
            ]
            word = BENEFICIARY_WORD.get(CATEGORIES[int(T["category"][r])], "person")
            why = reasons(
                w,
                distance_km=float(d[i]),
                skills=skills,
                languages=bit_names(int(T["langs"][r]) & v.langs, LANGUAGES),
                continuity=float(cont[i]),
                beneficiary_word=word,
                attended=att,
                no_show=ns,
                recent_minutes=load,
            )
            out.append(TaskMatch(hex_id(T["tid"][r]), float(sc[i]), float(d[i]), why))
        return out
