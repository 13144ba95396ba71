"""The demo's volunteers: seeded profiles spread around each home area."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from types import SimpleNamespace

from services.demo.needs import WEEKDAYS_ONLY
from services.demo.places import AREAS, HomeArea

SEED = 4210242
DEMO_PASSWORD = "demo-password"


def volunteer_email(n: int) -> str:
    return f"volunteer{n}@demo.cn"


# Weights of how common each skill is among volunteers; an area's leaning skills count three times.
SKILL_WEIGHTS: dict[str, int] = {
    "ELDER_COMPANIONSHIP": 14,
    "MEAL_DELIVERY": 10,
    "ERRANDS": 10,
    "MEDICINE_DELIVERY": 6,
    "HEALTH_CHECK": 4,
    "NURSING_CARE": 2,
    "HOMEWORK_TUTORING": 9,
    "READING": 7,
    "CHILD_MINDING": 6,
    "PSYCHOLOGICAL_SUPPORT": 3,
    "REHAB_EXERCISE": 2,
    "SIGN_LANGUAGE": 1,
    "MEDIATION": 3,
    "LEGAL_AID": 1,
    "CLEANUP": 9,
    "EVENT_ORGANISING": 5,
    "FIRST_AID": 4,
    "WATER_RESCUE": 1,
    "FIRE_SAFETY": 2,
    "TRAFFIC_GUIDANCE": 4,
    "DRIVING": 6,
    "DIGITAL_HELP": 6,
    "HAIRCUT": 1,
    "COOKING": 6,
}
LEVEL_WEIGHTS = (35, 30, 20, 10, 5)  # levels 1..5: most volunteers are beginners
# (credential, share of volunteers holding it)
CREDENTIAL_SHARES = (
    ("CHILD_SAFEGUARDING_CHECK", 0.35),
    ("DRIVING_LICENSE", 0.35),
    ("FIRST_AID_CERT", 0.25),
    ("HEALTH_CERT", 0.2),
    ("SOCIAL_WORKER_LICENSE", 0.05),
)
EXPIRED_SHARE = 0.15
# (pattern, weight, [(weekday, start hour, end hour)]) in local time
AVAILABILITY_PATTERNS = (
    ("retired, weekday mornings", 30, [(d, 8, 12) for d in WEEKDAYS_ONLY]),
    ("office worker, evenings and Saturday", 25, [(d, 19, 21) for d in WEEKDAYS_ONLY] + [("SATURDAY", 9, 12)]),
    ("student, weekends", 25, [("SATURDAY", 8, 18), ("SUNDAY", 8, 18)]),
    ("shift worker, afternoons", 20, [("TUESDAY", 14, 18), ("THURSDAY", 14, 18), ("SATURDAY", 8, 12)]),
)
GIVEN_NAME_CHARS = (
    "建国志强军伟勇杰涛磊鹏浩宇斌明平德华海林文超荣刚",
    "秀英桂兰丽芳敏静艳娟霞玉红梅燕春雪慧云凤婷琳欣雨佳思",
)
# The first volunteer of each area (the demo logins volunteer1…) is free on weekday mornings and weekend afternoons.
LEADER_AVAILABILITY = [(d, 8, 12) for d in WEEKDAYS_ONLY] + [("SATURDAY", 14, 18), ("SUNDAY", 14, 18)]


def enum_input(value: str) -> SimpleNamespace:
    """What the services read from a strawberry enum: its `.value`."""
    return SimpleNamespace(value=value)


def point(lat: float, lng: float) -> SimpleNamespace:
    return SimpleNamespace(lat=round(lat, 5), lng=round(lng, 5))


def scatter(rng: random.Random, lat: float, lng: float, max_km: float) -> SimpleNamespace:
    """A point uniformly spread over a disc of `max_km` around (lat, lng)."""
    d = max_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    return point(
        lat + d * math.cos(bearing) / 111.0, lng + d * math.sin(bearing) / (111.0 * math.cos(math.radians(lat)))
    )


def _name(rng: random.Random, surnames: str) -> str:
    chars = rng.choice(GIVEN_NAME_CHARS)
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(surnames) + given


def volunteer_profiles(today: date, seed: int = SEED) -> list[SimpleNamespace]:
    """Registration inputs for every demo volunteer; the first of each area leads the list (volunteer1…)."""
    rng = random.Random(seed)
    leaders: list[SimpleNamespace] = []
    others: list[SimpleNamespace] = []
    for area in AREAS:
        for i in range(area.volunteers):
            (leaders if i == 0 else others).append(_volunteer(rng, area, today, leader=i == 0))
    profiles = leaders + others
    for n, p in enumerate(profiles, start=1):
        p.email = volunteer_email(n)
    return profiles


def _volunteer(rng: random.Random, area: HomeArea, today: date, leader: bool) -> SimpleNamespace:
    codes = list(SKILL_WEIGHTS)
    weights = [SKILL_WEIGHTS[c] * (3 if c in area.leaning else 1) for c in codes]
    skills: dict[str, int] = {}
    if leader:
        skills[area.leaning[0]] = 3
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        skills.setdefault(rng.choices(codes, weights)[0], rng.choices(range(1, 6), LEVEL_WEIGHTS)[0])
    responder = "WATER_RESCUE" in skills or "FIRST_AID" in skills or rng.random() < 0.08
    if responder:
        skills.setdefault("FIRST_AID", rng.choice((2, 3)))
        if "WATER_RESCUE" in area.leaning:
            skills.setdefault("WATER_RESCUE", rng.choice((2, 3, 4)))
    credentials = []
    for kind, share in CREDENTIAL_SHARES:
        if rng.random() < share or (kind == "FIRST_AID_CERT" and responder and rng.random() < 0.8):
            expired = rng.random() < EXPIRED_SHARE
            days = -rng.randint(10, 400) if expired else rng.randint(60, 1500)
            credentials.append(SimpleNamespace(kind=kind, expires_on=today + timedelta(days=days)))
    languages = ["MANDARIN"] if rng.random() < 0.95 else []
    languages += [d for d in area.dialects if leader or rng.random() < 0.7]
    if rng.random() < 0.03 or "SIGN_LANGUAGE" in skills:
        languages.append("CHINESE_SIGN_LANGUAGE")
    if rng.random() < 0.08:
        languages.append("ENGLISH")
    if not languages:
        languages = [area.dialects[0]]
    _, _, slots = rng.choices(AVAILABILITY_PATTERNS, [w for _, w, _ in AVAILABILITY_PATTERNS])[0]
    if leader:
        slots = LEADER_AVAILABILITY
    availability = [SimpleNamespace(weekday=enum_input(d), start_hour=s, end_hour=e) for d, s, e in slots]
    if responder:  # on call around the clock on weekend days the pattern leaves free
        busy = {d for d, _, _ in slots}
        availability += [
            SimpleNamespace(weekday=enum_input(d), start_hour=0, end_hour=24)
            for d in ("SATURDAY", "SUNDAY")
            if d not in busy
        ]
    blackouts = sorted({today + timedelta(days=rng.randint(3, 60)) for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))})
    return SimpleNamespace(
        name=_name(rng, area.surnames),
        email=None,
        password=DEMO_PASSWORD,
        phone="1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9)),
        home=scatter(rng, area.lat, area.lng, 4.0),
        travel_radius_km=float(rng.choice((2, 3, 5, 5, 8, 10, 15)) if not responder else rng.choice((10, 15, 15))),
        skills=[SimpleNamespace(skill=k, level=lvl) for k, lvl in skills.items()],
        credentials=credentials,
        languages=languages,
        availability=availability,
        blackout_dates=blackouts,
        max_hours_per_week=rng.choice((2, 4, 4, 6, 8, 10, 16)),
        emergency_responder=responder,
    )
