"""The ranking score: every weight and threshold lives in `Weights`.

score = distance      * 1 / (1 + km / distance_half_km)          nearer is better, 0.5 at 2 km
      + skill_surplus * mean over required skills of (level - min_level) / 4
      + language      * [volunteer speaks one of the task's languages]
      + continuity    * 1 if they served this beneficiary before, `continuity_need` if only this need
      + reliability   * (attended + a) / (attended + no_shows + a + b)   (Beta(a, b) prior = 0.8)
      + fairness      * (1 - min(1, minutes served in the last 30 local days / fairness_full_minutes))

The six weights sum to 1, so a score lies in [0, 1]. Continuity outweighs a few kilometres: a
returning volunteer gains 0.30, while going from 1 km to 3 km loses only 0.25*(0.67-0.40)=0.07.
EMERGENCY tasks are ranked nearest first instead: their score is the distance term alone,
1 / (1 + km / distance_half_km).
"""

from dataclasses import dataclass

import numpy as np

from .catalogue import MAX_LEVEL, MIN_LEVEL

LEVEL_SPAN = MAX_LEVEL - MIN_LEVEL


@dataclass(frozen=True)
class Weights:
    distance: float = 0.25
    skill_surplus: float = 0.10
    language: float = 0.15
    continuity: float = 0.30
    reliability: float = 0.10
    fairness: float = 0.10
    distance_half_km: float = 2.0  # distance at which the distance term is 0.5
    continuity_need: float = 0.5  # same need, but not the same beneficiary
    reliability_prior_attended: float = 4.0
    reliability_prior_no_show: float = 1.0
    fairness_window_days: int = 30
    fairness_full_minutes: int = 1200  # 20 h in the window zeroes the fairness term
    light_load_minutes: int = 240  # below this the reason says "light recent load"
    emergency_rings_km: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 50.0)
    emergency_max_radius_km: float = 50.0  # cap of the ring search when no radius is given


DEFAULT_WEIGHTS = Weights()


def proximity(w: Weights, distance_km):
    return 1.0 / (1.0 + distance_km / w.distance_half_km)


def skill_surplus(level_sum, min_sum, n_req):
    """Mean over the required skills of (level - min_level) / LEVEL_SPAN, from the sums of the levels and of
    the min levels over the required skills (integers, so the division is the only rounding); 0 if none."""
    return (np.asarray(level_sum, dtype=np.int64) - min_sum) / (LEVEL_SPAN * np.maximum(n_req, 1))


def reliability(w: Weights, attended, no_show):
    a = w.reliability_prior_attended
    return (attended + a) / (attended + no_show + a + w.reliability_prior_no_show)


def score(w: Weights, distance_km, skill_surplus, language, continuity, attended, no_show, recent_minutes):
    """Vectorised score; arguments are numpy arrays or scalars that broadcast together."""
    load = np.minimum(1.0, np.asarray(recent_minutes, dtype=np.float64) / w.fairness_full_minutes)
    return (
        w.distance * proximity(w, distance_km)
        + w.skill_surplus * skill_surplus
        + w.language * language
        + w.continuity * continuity
        + w.reliability * reliability(w, attended, no_show)
        + w.fairness * (1.0 - load)
    )


def reasons(
    w: Weights,
    *,
    distance_km: float,
    skills: list[tuple[str, int, int]],
    languages: list[str],
    continuity: float,
    beneficiary_word: str,
    attended: int,
    no_show: int,
    recent_minutes: int,
    emergency_responder: bool = False,
) -> list[str]:
    """Short English reasons; `skills` holds (code, level, min_level) of the required skills."""
    out = [f"{distance_km:.1f} km away"]
    if emergency_responder:
        out.append("emergency responder")
    for code, level, need in skills:
        out.append(f"{code} level {level} (needs {need})")
    for code in languages:
        out.append(f"speaks {code}")
    if continuity >= 1.0:
        out.append(f"served this {beneficiary_word} before")
    elif continuity > 0.0:
        out.append("served this need before")
    total = attended + no_show
    if total == 0:
        out.append("no service record yet")
    elif no_show == 0 or attended / total >= 0.8:
        out.append(f"reliable: {attended} of {total} attended")
    else:
        out.append(f"attended {attended} of {total}")
    if recent_minutes < w.light_load_minutes:
        out.append("light recent load")
    else:
        out.append(f"{recent_minutes / 60:.1f} h served in the last {w.fairness_window_days} days")
    return out


BENEFICIARY_WORD = {"ELDER_CARE": "elder", "CHILD_CARE": "child"}
