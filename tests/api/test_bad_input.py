"""Bad input, driven by the schema: every argument of every field answers a bad value with a coded error.

The test introspects the GraphQL schema and enumerates every root query and mutation field, every
argument, every input-object field at any depth and every list item, plus the arguments of nested
fields reachable through `node(id:)` (inline fragments) and in two hops from a root field (e.g.
`organisation(id:) { needs(first:, after:) }`). A small world gives every argument a real, well-formed
default (ids of the right type, decided from the argument's name; fresh objects for mutations that
use them up), so the code under test gets deep; then each leaf in turn gets the bad values of its
type while the others keep their defaults, sent by the most privileged sensible caller.

What must hold, for every request: no HTTP 5xx; no "internal error" / INTERNAL_ERROR; every GraphQL
error carries an `extensions.code` and every payload error a `code`, each a member of `ErrorCode`;
a value that is bad by itself (`must_fail`) is refused; a mutation that fails wrote nothing. Every
violation is collected and the test reports them together (operation, argument path, value, what
came back). `GET /exports/hours.csv` gets the same treatment with bad query parameters.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined

from api.app import create_app
from config import Limits
from db.repo import new_id
from schema import build_schema
from schema.base.ids import encode_id
from schema.base.pagination import encode_cursor
from services.clock import LOCAL
from services.errors import ErrorCode
from tests.support import (
    CLOCK,
    PASSWORD,
    Api,
    apply,
    build_world,
    committee_token,
    future,
    lonely_spot,
    make_volunteers,
    raw,
    shift_task,
    unique,
)

SCHEMA = build_schema(Limits())._schema
CODES = {c.value for c in ErrorCode}
INTERNAL = ErrorCode.INTERNAL_ERROR.value
MAX_BODY = Limits().max_body_bytes
LONG = 50_000  # characters of a "very long" string: far past every limit, well inside the body limit
LONG_LIST = 1000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Where this module's needs, volunteers and check-ins are: a place no other test uses, so the tasks and
# volunteers it leaves behind never show up in another test's matching results.
SPOT = lonely_spot()

# Which type an ID argument or input field takes, from its name (`id`/`ids` take the field's own type).
ID_TYPES = {
    "taskId": "Task", "needId": "Need", "organisationId": "Organisation", "parentId": "Organisation",
    "volunteerId": "Volunteer", "volunteerIds": "Volunteer", "applicationId": "Application",
    "assignmentId": "Application", "entryId": "HourEntry", "entryIds": "HourEntry",
}  # fmt: skip
NODE_TYPES = ("Task", "Need", "Organisation", "Volunteer", "Application", "HourEntry", "Account")
# Who calls: volunteer-only operations need a volunteer; everything else runs as an ADMIN.
CALLER = {
    "applyToTask": "volunteer", "withdrawApplication": "volunteer", "respondToInvitation": "volunteer",
    "checkIn": "volunteer", "checkOut": "volunteer", "updateVolunteerProfile": "profile_volunteer",
    "recommendedTasks": "volunteer", "myApplications": "volunteer", "viewer": "volunteer",
}  # fmt: skip
# Instances that a successful call uses up: (operation, id type) → fixture kind, made again after a success.
CONSUMABLE = {
    ("applyToTask", "Task"): "fresh_task", ("inviteVolunteer", "Task"): "fresh_task",
    ("cancelNeed", "Need"): "fresh_need", ("withdrawApplication", "Application"): "pending_app",
    ("reviewApplication", "Application"): "pending_app", ("respondToInvitation", "Application"): "invitation",
    ("checkIn", "Application"): "accepted", ("checkOut", "Application"): "checked_in",
    ("markNoShow", "Application"): "ended_accepted", ("verifyHours", "HourEntry"): "pending_entry",
}  # fmt: skip
# Optional fields the default input includes, so that it is valid as a whole.
INCLUDE = {
    ("postNeed", "tasks"),
    ("recordHours", "organisationId"),
    ("recordHours", "category"),
    ("hourTallies", "organisationId"),
    ("registerOrganisation", "parentId"),
}
# Fields of which exactly one may be given: fuzzing one drops the others.
EXCLUSIVE = {
    "postNeed": [{("input", "tasks"), ("input", "recurrence")}],
    "recordHours": [{("input", "taskId"), ("input", "organisationId")}],
    "hourTallies": [{("scope", "organisationId"), ("scope", "regionCode"), ("scope", "volunteerId")}],
}
ENUM_DEFAULTS = {"OrganisationKind": "VILLAGE_ROOM", "NeedCategory": "ELDER_CARE", "TallyGroup": "MONTH"}


@dataclass(frozen=True)
class Bad:
    label: str
    value: Any
    must_fail: bool = True


@dataclass(frozen=True)
class Leaf:
    path: tuple  # ("input", "tasks", 0, "startsAt")
    type: Any  # the (wrapped) GraphQL input type

    @property
    def name(self) -> str:
        return _name(self.path)

    @property
    def shown(self) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path).lstrip(".")


@dataclass
class Req:
    """One request's context: fresh windows and keys, and the fixtures it used."""

    op: str
    k: int
    used: set[str] = field(default_factory=set)


def walk(path: tuple, t: Any, depth: int = 0) -> Iterator[Leaf]:
    """Every leaf of an argument: itself, its list item, its input fields, recursively."""
    yield Leaf(path, t)
    inner = t.of_type if is_non_null_type(t) else t
    if depth > 6:
        return
    if is_list_type(inner):
        yield from walk((*path, 0), inner.of_type, depth + 1)
    elif isinstance(inner, GraphQLInputObjectType):
        for name, f in inner.fields.items():
            yield from walk((*path, name), f.type, depth + 1)


def _name(path: tuple) -> str:
    return next(p for p in reversed(path) if isinstance(p, str))


def required(f: Any) -> bool:
    return is_non_null_type(f.type) and f.default_value is Undefined


def short(value: Any, n: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= n else f"{text[:n]}…({len(text)} chars)"


def request_code(message: str) -> str | None:
    """The code a request-level error must carry, when its message says which kind it is."""
    if message.startswith("Syntax Error"):
        return ErrorCode.GRAPHQL_PARSE_FAILED.value
    if re.match(r"Variable '\$\w+' (has invalid value|got invalid value|of non-null type|of required type)", message):
        return ErrorCode.INVALID_INPUT.value
    return None


def argument_trees(kind: str, op: str) -> list[dict]:
    root = (SCHEMA.mutation_type if kind == "mutation" else SCHEMA.query_type).fields[op]
    if kind == "mutation":
        return [get_named_type(root.args["input"].type).fields]
    return [root.args]


def field_ok(path: list[str] | None, trees: list[dict]) -> bool:
    """Whether an error's `field` is a path into the arguments (or input fields) of the operation."""
    if not path:
        return True
    for tree in trees:
        if path[0] not in tree:
            continue
        t = tree[path[0]].type
        for part in path[1:]:
            t = t.of_type if is_non_null_type(t) else t
            if is_list_type(t) and part.isdigit():
                t = t.of_type
            elif isinstance(t, GraphQLInputObjectType) and part in t.fields:
                t = t.fields[part].type
            else:
                break
        else:
            return True
    return False


# ---- selections: a few cheap scalar fields of whatever comes back ------------------------------------------

PREFERRED = ("id", "totalCount", "code", "key", "minutes", "status", "score", "distanceKm", "token")


def selection(t: Any, depth: int = 0) -> str:
    n = get_named_type(t)
    if isinstance(n, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(n, GraphQLInterfaceType | GraphQLUnionType):
        return "{ __typename " + ("id " if isinstance(n, GraphQLInterfaceType) and "id" in n.fields else "") + "}"
    assert isinstance(n, GraphQLObjectType)
    plain = {k: f for k, f in n.fields.items() if not any(required(a) for a in f.args.values())}
    parts = [k for k in PREFERRED if k in plain and is_leaf_type(get_named_type(plain[k].type))][:3]
    if "errors" in plain:
        parts.append("errors { code field message }")
    if "pageInfo" in plain:
        parts.append("pageInfo { endCursor }")
    if "edges" in plain:
        parts.append(
            "edges { cursor node "
            + selection(get_named_type(plain["edges"].type).fields["node"].type, depth + 1)
            + " }"
        )
    if depth == 0:
        for k, f in plain.items():
            target = get_named_type(f.type)
            if (
                k not in ("errors", "edges", "pageInfo")
                and isinstance(target, GraphQLObjectType)
                and "id" in target.fields
                and not f.args
            ):
                parts.append(f"{k} {{ id }}")
    if not parts:
        parts.append(next(k for k, f in plain.items() if is_leaf_type(get_named_type(f.type))))
    return "{ " + " ".join(parts) + " }"


def arg_list(names: list[str], prefix: str = "") -> str:
    return ", ".join(f"{a}: ${prefix}{a}" for a in names)


# ---- the world and the client ----------------------------------------------------------------------------


class WriteTracker:
    """Records the write commands sent while active (wrapping the session's command listener)."""

    WRITES = ("insert", "update", "delete", "findAndModify")

    def __init__(self, listener: Any) -> None:
        self.listener = listener
        self.active = False
        self.pending: dict[int, tuple] = {}
        self.events: list[tuple] = []
        self._started, self._succeeded = listener.started, listener.succeeded

    def install(self) -> None:
        def started(event: Any) -> None:
            self._started(event)
            if self.active and event.command_name in self.WRITES:
                self.pending[event.request_id] = (
                    event.command_name,
                    event.command.get(event.command_name),
                    dict(event.command),
                )

        def succeeded(event: Any) -> None:
            self._succeeded(event)
            item = self.pending.pop(event.request_id, None)
            if item is not None:
                self.events.append((*item, dict(event.reply)))

        self.listener.started, self.listener.succeeded = started, succeeded

    def uninstall(self) -> None:
        self.listener.started, self.listener.succeeded = self._started, self._succeeded

    def begin(self) -> None:
        self.pending.clear()
        self.events.clear()
        self.active = True

    async def net_writes(self, database: Any) -> list[str]:
        """What a request left behind: updates, deletes of older documents, inserts still there."""
        self.active = False
        inserted: list[tuple[str, Any]] = []
        found: list[str] = []
        for name, coll, cmd, reply in self.events:
            if name == "insert" and reply.get("n", 0):
                inserted += [(coll, d.get("_id")) for d in cmd.get("documents", [])]
            elif name == "update" and (reply.get("nModified", 0) or reply.get("upserted")):
                found.append(f"updated {coll} {short(cmd['updates'][0]['q'], 60)}")
            elif name == "findAndModify" and (reply.get("lastErrorObject") or {}).get("n", 0):
                found.append(f"findAndModify {coll} {short(cmd.get('query'), 60)}")
            elif name == "delete" and reply.get("n", 0):
                for d in cmd.get("deletes", []):
                    q = d.get("q", {}).get("_id")
                    ids = q.get("$in", []) if isinstance(q, dict) else [q]
                    if not all((coll, i) in inserted for i in ids):
                        found.append(f"deleted from {coll} {short(d.get('q'), 60)}")
        for coll, _id in inserted:
            if await database[coll].find_one({"_id": _id}, {"_id": 1}) is not None:
                found.append(f"left {coll} {short(_id, 60)}")
        return found


class Fuzz:
    def __init__(self, client: httpx.AsyncClient, services: Any, repos: Any, runtime: Any, tracker: WriteTracker):
        self.client = client
        self.api = Api(client)
        self.services = services
        self.repos = repos
        self.database = runtime.database
        self.tracker = tracker
        self.failures: list[str] = []
        self.requests = 0
        self.counter = itertools.count()
        self.a_slots = itertools.count()
        self.fixtures: dict[tuple[str, str], str] = {}

    # -- the world ------------------------------------------------------------------------------------------

    async def build(self) -> None:
        api = self.api
        w = await build_world(self.services, api)
        self.w = w
        self.city = w.city_code
        self.admin = f"Bearer {w.admin}"
        self.village = w.orgs["同心村社工室"]
        self.township = w.orgs["马家寨乡社工站"]
        self.foreign = f"Bearer {w.tokens['沙市社工站']}"
        self.coordinator = f"Bearer {w.tokens['同心村社工室']}"
        a, b, c = await make_volunteers(self.services, self.repos, 3, home=SPOT)
        self.vol_a, self.vol_b, self.vol_c = a, b, c
        self.tokens = {
            "admin": self.admin,
            "volunteer": f"Bearer {a['token']}",
            "profile_volunteer": f"Bearer {b['token']}",
        }
        self.committee = f"Bearer {await committee_token(api, w, f'{self.city}24101')}"
        # A need with two tasks; the volunteer is accepted on the first (auto-accept).
        s1, s2 = self.a_window(), self.a_window()
        self.need_main, (self.task_main, self.task_2) = await self.post_need(True, [s1, s2])
        self.app_main = await self.applied(self.task_main, "ACCEPTED")
        self.entry_verified = await self.pending_entry()
        await self.ok_mutation(
            "verifyHours", {"entryIds": [self.entry_verified], "decision": "VERIFY"}, "entries { id }", self.admin
        )
        self.account_admin = (await self.data("{ viewer { id } }", {}, self.admin))["viewer"]["id"]
        self.static = {
            "Task": self.task_main,
            "Need": self.need_main,
            "Organisation": self.village,
            "Volunteer": a["gid"],
            "Application": self.app_main,
            "HourEntry": self.entry_verified,
            "Account": self.account_admin,
        }
        await self.collect_cursors()

    def a_window(self) -> datetime:
        """Start of a one-hour window of the volunteer's own, overlapping no other."""
        return future(5, 3 * next(self.a_slots))

    async def data(self, query: str, variables: dict, auth: str | None) -> dict:
        status, body = await self.post(query, variables, auth)
        assert status == 200 and not body.get("errors"), body
        return body["data"]

    async def ok_mutation(self, op: str, inp: dict, fields: str, auth: str) -> dict:
        t = str(SCHEMA.mutation_type.fields[op].args["input"].type)
        data = await self.data(
            f"mutation($input: {t}) {{ {op}(input: $input) {{ {fields} errors {{ code message }} }} }}",
            {"input": inp},
            auth,
        )
        assert data[op]["errors"] == [], (op, data[op]["errors"])
        return data[op]

    async def post_need(self, auto: bool, starts: list[datetime]) -> tuple[str, list[str]]:
        tasks = [
            {"startsAt": s.isoformat(), "endsAt": (s + timedelta(hours=1)).isoformat(), "slots": 3} for s in starts
        ]
        res = await self.ok_mutation(
            "postNeed",
            {
                "organisationId": self.village,
                "title": "送餐",
                "category": "ELDER_CARE",
                "autoAccept": auto,
                "location": SPOT,
                "requiredCredentials": [],
                "tasks": tasks,
            },
            "need { id tasks(first: 10) { edges { node { id } } } }",
            self.admin,
        )
        return res["need"]["id"], [e["node"]["id"] for e in res["need"]["tasks"]["edges"]]

    async def applied(self, task: str, status: str) -> str:
        res = await apply(self.api, task, self.tokens["volunteer"].split(" ", 1)[1])
        assert res["errors"] == [] and res["application"]["status"] == status, res
        return res["application"]["id"]

    async def pending_entry(self) -> str:
        start = CLOCK.now().replace(second=0, microsecond=0) - timedelta(days=4, minutes=2 * next(self.counter))
        res = await self.ok_mutation(
            "recordHours",
            {
                "volunteerIds": [self.vol_a["gid"]],
                "organisationId": self.village,
                "category": "ELDER_CARE",
                "startedAt": start.isoformat(),
                "endedAt": (start + timedelta(minutes=60)).isoformat(),
            },
            "entries { id }",
            self.admin,
        )
        return res["entries"][0]["id"]

    async def make(self, kind: str) -> str:
        """A fresh instance of a fixture kind (see CONSUMABLE)."""
        if kind == "fresh_task":
            return (await self.post_need(False, [self.a_window()]))[1][0]
        if kind == "fresh_need":
            return (await self.post_need(False, [self.a_window()]))[0]
        if kind == "pending_app":
            return await self.applied((await self.post_need(False, [self.a_window()]))[1][0], "PENDING")
        if kind == "invitation":
            task = (await self.post_need(False, [self.a_window()]))[1][0]
            res = await self.ok_mutation(
                "inviteVolunteer", {"taskId": task, "volunteerId": self.vol_a["gid"]}, "application { id }", self.admin
            )
            return res["application"]["id"]
        if kind in ("accepted", "checked_in", "ended_accepted"):
            start = self.a_window()
            task = (await self.post_need(True, [start]))[1][0]
            app = await self.applied(task, "ACCEPTED")
            if kind == "checked_in":
                await self.ok_mutation(
                    "checkIn",
                    {"assignmentId": app, "location": SPOT},
                    "assignment { id }",
                    self.tokens["volunteer"],
                )
            if kind == "ended_accepted":
                now = CLOCK.now()
                await shift_task(self.repos, task, now - timedelta(hours=3), now - timedelta(hours=2))
            return app
        if kind == "pending_entry":
            return await self.pending_entry()
        raise AssertionError(kind)

    async def collect_cursors(self) -> None:
        """Real cursors of several lists, to pass to the others."""
        q = {
            "organisations": (
                "query($r: String) { organisations(regionCode: $r, first: 1) { pageInfo { endCursor } } }",
                {"r": f"{self.city}00"},
                self.admin,
            ),
            "openTasks": (
                "query($p: GeoPointInput!) { openTasks(near: $p, first: 1) { pageInfo { endCursor } } }",
                {"p": SPOT},
                None,
            ),
            "Need.tasks": (
                "query($id: ID!) { node(id: $id) { ... on Need { tasks(first: 1) { pageInfo { endCursor } } } } }",
                {"id": self.need_main},
                self.admin,
            ),
            "myApplications": ("{ myApplications(first: 1) { pageInfo { endCursor } } }", {}, self.tokens["volunteer"]),
            "hourEntries": (
                "query($o: ID!) { hourEntries(organisationId: $o, first: 1) { pageInfo { endCursor } } }",
                {"o": self.village},
                self.admin,
            ),
        }
        self.cursors: dict[str, str] = {}
        for name, (query, variables, auth) in q.items():
            data = await self.data(query, variables, auth)
            root = next(iter(data.values()))
            page = root["tasks"] if name == "Need.tasks" else root
            assert page["pageInfo"]["endCursor"], name
            self.cursors[name] = page["pageInfo"]["endCursor"]

    # -- good defaults --------------------------------------------------------------------------------------

    async def id_of(self, req: Req, type_name: str | None) -> str:
        kind = CONSUMABLE.get((req.op, type_name or ""))
        if kind is None:
            if req.op == "inviteVolunteer" and type_name == "Volunteer":
                return self.vol_c["gid"]
            if req.op == "registerOrganisation":
                return self.township
            return self.static[type_name or "Task"]
        key = (req.op, kind)
        if key not in self.fixtures:
            self.fixtures[key] = await self.make(kind)
        req.used.add(kind)
        return self.fixtures[key]

    def used_up(self, req: Req) -> None:
        for kind in req.used:
            self.fixtures.pop((req.op, kind), None)

    def id_type(self, root: GraphQLField, name: str) -> str | None:
        """The type an ID leaf takes; None for "any node"."""
        if name in ID_TYPES:
            return ID_TYPES[name]
        if name in ("id", "ids"):
            target = get_named_type(root.type)
            return target.name if isinstance(target, GraphQLObjectType) else None
        raise AssertionError(f"no id type known for {name!r}: add it to ID_TYPES")

    async def good(self, t: Any, name: str, req: Req, root: GraphQLField) -> Any:
        if is_non_null_type(t):
            return await self.good(t.of_type, name, req, root)
        if is_list_type(t):
            return [await self.good(t.of_type, name, req, root)]
        if isinstance(t, GraphQLInputObjectType):
            return {
                k: await self.good(f.type, k, req, root)
                for k, f in t.fields.items()
                if required(f) or (req.op, k) in INCLUDE
            }
        if isinstance(t, GraphQLEnumType):
            return ENUM_DEFAULTS.get(t.name, next(iter(t.values)))
        return await self.scalar(t.name, name, req, root)

    async def scalar(self, type_name: str, name: str, req: Req, root: GraphQLField) -> Any:
        now = CLOCK.now().replace(minute=0, second=0, microsecond=0)
        today = now.astimezone(LOCAL).date()
        if type_name == "ID":
            return await self.id_of(req, self.id_type(root, name))
        if type_name == "String":
            texts = {
                "email": lambda: f"{unique('fz')}@example.cn",
                "password": lambda: PASSWORD,
                "displayName": lambda: "测试账号",
                "name": lambda: "测试名字",
                "title": lambda: "测试活动",
                "description": lambda: "说明",
                "address": lambda: "同心村3组",
                "beneficiaryNotes": lambda: "备注",
                "beneficiaryRef": lambda: "C-1",
                "message": lambda: "你好",
                "reason": lambda: "原因",
                "phone": lambda: "13800138000",
                "skill": lambda: "MEAL_DELIVERY",
                "skills": lambda: "MEAL_DELIVERY",
                "kind": lambda: "FIRST_AID_CERT",
                "requiredCredentials": lambda: "FIRST_AID_CERT",
                "languages": lambda: "MANDARIN",
                "idempotencyKey": lambda: f"key-{req.k}-{unique()}",
                "after": lambda: self.cursors.get(req.op, ""),
                "regionCode": lambda: {
                    "registerOrganisation": f"{self.city}24101{300 + req.k % 600:03d}",
                    "createCommitteeAccount": f"{self.city}24101",
                }.get(req.op, f"{self.city}00"),
            }
            assert name in texts, f"no default for String {name!r} of {req.op}: add one"
            return texts[name]()
        if type_name == "Int":
            ints = {
                "first": 5,
                "slots": 2,
                "minLevel": 2,
                "level": 3,
                "startHour": 8,
                "endHour": 12,
                "maxHoursPerWeek": 6,
                "durationMinutes": 60,
                "minutes": 30 if req.op == "recordHours" else 1 + req.k % 1400,
            }
            assert name in ints, f"no default for Int {name!r} of {req.op}: add one"
            return ints[name]
        if type_name == "Float":
            floats = {**SPOT, "radiusKm": 10.0, "travelRadiusKm": 5.0}
            assert name in floats, f"no default for Float {name!r} of {req.op}: add one"
            return floats[name]
        if type_name == "Boolean":
            return False
        if type_name == "DateTime":
            t0 = now + timedelta(days=40, hours=3 * req.k)
            p0 = now - timedelta(days=3, minutes=2 * req.k)
            times = {
                "startsAt": t0,
                "endsAt": t0 + timedelta(hours=2),
                "startedAt": p0,
                "endedAt": p0 + timedelta(minutes=60),
                "from": now,
                "to": now + timedelta(days=30),
            }
            assert name in times, f"no default for DateTime {name!r} of {req.op}: add one"
            return times[name].isoformat()
        if type_name == "Date":
            month = today.replace(day=1)
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            days = {
                "expiresOn": date(2030, 1, 1),
                "blackoutDates": date(2030, 1, 1),
                "startsOn": today + timedelta(days=1),
                "endsOn": today + timedelta(days=15),
                "from": month,
                "to": month_end,
            }
            assert name in days, f"no default for Date {name!r} of {req.op}: add one"
            return days[name].isoformat()
        if type_name == "Time":
            return "10:00"
        raise AssertionError(f"no default for scalar {type_name} ({name!r} of {req.op}): add one")

    # -- bad values -----------------------------------------------------------------------------------------

    def bad_values(self, leaf: Leaf, root: GraphQLField, kind: str, op: str, list_name: str = "") -> list[Bad]:
        t = leaf.type
        out: list[Bad] = []
        if is_non_null_type(t):
            out.append(Bad("null", None))
            t = t.of_type
        name = leaf.name
        if is_list_type(t):
            item_required = is_non_null_type(t.of_type)
            return [
                *out,
                Bad("empty list", [], False),
                Bad("list with a null", [None], item_required),
                Bad("long list", "LONG_LIST", False),
            ]
        if isinstance(t, GraphQLInputObjectType):
            return [
                *out,
                Bad("empty object", {}, any(required(f) for f in t.fields.values())),
                Bad("a string for an object", "x"),
            ]
        if isinstance(t, GraphQLEnumType):
            first = next(iter(t.values))
            return [
                *out,
                Bad("unknown enum", "NOT_A_VALUE"),
                Bad("lower-case enum", first.lower()),
                Bad("number for enum", 1),
            ]
        required_text = is_non_null_type(leaf.type)
        nullable_result = kind == "query" and (not is_non_null_type(root.type) or op == "nodes")
        name_extras = {
            "first": [Bad("101", 101)],
            "lat": [Bad("91", 91.0), Bad("-90.5", -90.5)],
            "lng": [Bad("180.5", 180.5)],
            "radiusKm": [Bad("0", 0.0), Bad("200.5", 200.5)],
            "travelRadiusKm": [Bad("0", 0.0), Bad("200.5", 200.5)],
            "slots": [Bad("0", 0), Bad("101", 101)],
            "level": [Bad("0", 0), Bad("6", 6)],
            "minLevel": [Bad("0", 0), Bad("6", 6)],
            "startHour": [Bad("24", 24)],
            "endHour": [Bad("25", 25)],
            "maxHoursPerWeek": [Bad("0", 0), Bad("85", 85)],
            "durationMinutes": [Bad("14", 14), Bad("1441", 1441)],
            "regionCode": [
                Bad("5 digits", "42100"),
                Bad("letters", "abcdef"),
                Bad("full-width digits", "４２１０２４１０１"),
            ],
            "email": [Bad("no @", "not-an-email"), Bad("in use", self.vol_a["email"].upper(), op != "login")],
            "password": [Bad("7 characters", "short12")],
            "skill": [Bad("unknown code", "NOT_A_SKILL")],
            "skills": [Bad("unknown code", "NOT_A_SKILL")],
            "kind": [Bad("unknown code", "NOT_A_KIND")],
            "languages": [Bad("unknown code", "NOT_A_LANGUAGE")],
            "requiredCredentials": [Bad("unknown code", "NOT_A_KIND")],
            "phone": [Bad("letters", "call me")],
            "startsAt": [Bad("in the past", "2001-01-01T00:00:00Z")],
            "endedAt": [Bad("in the future", "2099-01-01T00:00:00+08:00")],
            "startsOn": [Bad("in the past", "2001-01-01")],
        }
        if op == "recordHours":
            name_extras["minutes"] = [Bad("0", 0), Bad("longer than the activity", 61)]
        if op == "correctHours":
            name_extras["minutes"] = [Bad("1441", 1441)]
        extras = name_extras.get(name, [])
        match t.name:
            case "ID":
                expected = self.id_type(root, name)
                other = next(x for x in NODE_TYPES if x != (expected or "Task"))
                other_id = self.static[other]
                return [
                    *out,
                    Bad("garbage", "not-an-id!"),
                    Bad("empty", ""),
                    Bad("long", "Q" * LONG),
                    Bad("well-formed, wrong type", other_id, expected is not None),
                    Bad("well-formed, nothing there", encode_id(expected or "Task", new_id()), not nullable_result),
                    Bad("well-formed, too long", encode_id(expected or "Task", "x" * 300)),
                    Bad("empty raw id", encode_id(expected or "Task", "")),
                    Bad("not UTF-8 inside", base64.urlsafe_b64encode(b"\xff\xfe:\xfa").decode().rstrip("=")),
                    Bad("NUL inside", encode_id(expected or "Task", "a\x00b"), not nullable_result),
                    Bad("non-ASCII", "任务"),
                    Bad("lone surrogate", "\ud800"),
                    Bad("number", 12345, False),
                ]
            case "String" if name == "after":
                return self.bad_cursors(list_name or op)
            case "String":
                return [
                    *out,
                    *extras,
                    Bad("empty", "", required_text),
                    Bad("blank", "   ", required_text),
                    Bad("long", "x" * LONG),
                    Bad("long CJK", "字" * 6000),
                    Bad("NUL", "a\x00b", False),
                    Bad("lone surrogate", "\ud800"),
                ]
            case "Int":
                return [
                    *out,
                    *extras,
                    Bad("-1", -1),
                    Bad("0", 0, False),
                    Bad("-2^31", INT_MIN),
                    Bad("2^31-1", INT_MAX),
                    Bad("2^31", 2**31),
                    Bad("2^63", 2**63),
                    Bad("float", 1.5),
                ]
            case "Float":
                return [
                    *out,
                    *extras,
                    Bad("-1", -1.0, False),
                    Bad("-0.0", -0.0, False),
                    Bad("1e308", 1e308),
                    Bad("-1e308", -1e308),
                    Bad("inf", math.inf),
                    Bad("nan", math.nan),
                    Bad("subnormal", 5e-324, False),
                    Bad("string", "1.5"),
                ]
            case "Boolean":
                return [*out, Bad("string", "yes")]
            case "DateTime":
                return [
                    *out,
                    *extras,
                    Bad("year 1 at +14:00", "0001-01-01T00:00:00+14:00"),
                    Bad("year 9999 at -12:00", "9999-12-31T23:59:59-12:00"),
                    Bad("year 1 UTC", "0001-01-01T00:00:00Z"),
                    Bad("year 9999 UTC", "9999-12-31T23:59:59Z"),
                    Bad("hour 24 of 9999-12-31", "9999-12-31T24:00:00Z"),
                    Bad("naive", "2026-03-20T10:00:00"),
                    Bad("30 February", "2026-02-30T10:00:00Z"),
                    Bad("garbage", "yesterday"),
                    Bad("empty", ""),
                    Bad("offset +24:00", "2026-03-20T10:00:00+24:00"),
                    Bad("year 2100 at -12:00", "2100-12-31T23:59:59-12:00", False),
                    Bad("year 2000 at +14:00", "2000-01-01T00:00:00+14:00", False),
                    Bad("1999", "1999-12-31T12:00:00Z"),
                ]
            case "Date":
                return [
                    *out,
                    *extras,
                    Bad("year 1", "0001-01-01"),
                    Bad("year 9999", "9999-12-31"),
                    Bad("30 February", "2026-02-30"),
                    Bad("garbage", "soon"),
                    Bad("empty", ""),
                    Bad("2100-12-31", "2100-12-31", False),
                    Bad("2000-01-01", "2000-01-01", False),
                    Bad("1999-12-31", "1999-12-31"),
                ]
            case "Time":
                return [
                    *out,
                    Bad("24:00", "24:00"),
                    Bad("25:61", "25:61"),
                    Bad("empty", ""),
                    Bad("last microsecond", "23:59:59.999999", False),
                    Bad("with +14:00", "10:00+14:00", False),
                    Bad("midnight", "00:00", False),
                ]
        raise AssertionError(f"no bad values for {t}")

    def bad_cursors(self, list_name: str) -> list[Bad]:
        two_part = list_name == "openTasks"
        hex_id = raw(self.task_main)
        out = [
            Bad("garbage", "%%%not a cursor%%%"),
            Bad("long", "Q" * LONG),
            Bad("empty", "", False),
            Bad("not UTF-8", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
            Bad("NaN distance", encode_cursor("nan", hex_id)),
            Bad("infinite distance", encode_cursor("inf", hex_id)),
            Bad("not a hex id", encode_cursor("1.5", "not-hex")),
            Bad("lone surrogate", "\ud800"),
        ]
        for source, cursor in self.cursors.items():
            if source != list_name:
                arity_differs = (source == "openTasks") != two_part
                out.append(Bad(f"cursor of {source}", cursor, arity_differs))
        return out

    # -- sending and judging --------------------------------------------------------------------------------

    async def post(self, query: str, variables: dict, auth: str | None) -> tuple[int, Any]:
        # Serialised here: httpx refuses NaN and lone surrogates, which clients can send as JSON.
        body = json.dumps({"query": query, "variables": variables})
        assert len(body.encode()) < MAX_BODY, f"test request of {len(body)} bytes is over the body limit"
        headers = {"content-type": "application/json"}
        if auth is not None:
            headers["authorization"] = auth
        self.requests += 1
        r = await self.client.post("/graphql", content=body.encode(), headers=headers)
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, r.text

    def judge(self, status: int, body: Any, op: str, kind: str, args: list[dict]) -> tuple[bool, list[str]]:
        """(whether the call failed, what is wrong with the answer). `args`: the argument definitions an
        error's `field` may point into (for a mutation, its input's fields)."""
        wrong: list[str] = []
        if status >= 500:
            wrong.append(f"HTTP {status}")
        if not isinstance(body, dict):
            return True, [*wrong, f"HTTP {status} without a JSON body: {short(body)}"]
        errors = body.get("errors") or []
        for e in errors:
            ext = e.get("extensions") or {}
            code, message = ext.get("code"), e.get("message") or ""
            if code not in CODES or code == INTERNAL or message == "internal error":
                wrong.append(f"error code {code!r}: {short(message, 100)} at {e.get('path')}")
            elif e.get("path") is None and (expected := request_code(message)) and code != expected:
                wrong.append(f"error code {code}, not {expected}: {short(message, 100)}")
            for problem in [ext, *ext.get("problems", [])]:
                if not field_ok(problem.get("field"), args):
                    wrong.append(f"{code} points at {problem.get('field')}, not at an argument")
        payload = (body.get("data") or {}).get(op)
        payload_errors = []
        if kind == "mutation" and isinstance(payload, dict):
            payload_errors = payload.get("errors") or []
            for e in payload_errors:
                if e.get("code") not in CODES or e.get("code") == INTERNAL:
                    wrong.append(f"payload error code {e.get('code')!r}: {short(e.get('message'), 100)}")
                if not field_ok(e.get("field"), args):
                    wrong.append(f"{e.get('code')} points at {e.get('field')}, not at an input field")
        failed = bool(errors or payload_errors) or (kind == "mutation" and payload is None)
        return failed, wrong

    async def attempt(
        self,
        where: str,
        shown: str,
        bad: Bad | None,
        query: str,
        variables: dict,
        auth: str | None,
        op: str,
        kind: str,
        req: Req | None = None,
        args: list[dict] | None = None,
    ) -> None:
        if kind == "mutation":
            self.tracker.begin()
        status, body = await self.post(query, variables, auth)
        failed, wrong = self.judge(status, body, op, kind, args if args is not None else argument_trees(kind, op))
        if kind == "mutation":
            if failed:
                left = await self.tracker.net_writes(self.database)
                wrong += [f"failed but wrote: {x}" for x in left]
            else:
                self.tracker.active = False
                if req is not None:
                    self.used_up(req)
        if bad is not None and bad.must_fail and not failed:
            wrong.append("accepted")
        if wrong:
            value = f" = {bad.label} {short(bad.value, 40)}" if bad else ""
            self.failures.append(f"{where} | {shown}{value} → {'; '.join(wrong)}")

    async def expand(self, value: Any, leaf: Leaf, req: Req, root: GraphQLField) -> Any:
        if value != "LONG_LIST":
            return value
        item_type = (leaf.type.of_type if is_non_null_type(leaf.type) else leaf.type).of_type
        item = await self.good(item_type, leaf.name, req, root)
        n = LONG_LIST
        while len(json.dumps([item] * n)) > MAX_BODY // 2:
            n //= 2
        return [item] * n

    async def put(self, base: dict, leaf: Leaf, value: Any, req: Req, root: GraphQLField, op: str) -> None:
        """Sets the leaf in a default input, making its parents and dropping fields exclusive with it."""
        for group in EXCLUSIVE.get(op, []):
            mine = [m for m in group if leaf.path[: len(m)] == m]
            for other in group - set(mine[:1]) if mine else ():
                parent = base
                for key in other[:-1]:
                    parent = parent.get(key) or {}
                parent.pop(other[-1], None)
        cur: Any = base
        for depth, key in enumerate(leaf.path[:-1]):
            here = leaf.path[: depth + 1]
            held = cur.get(key) if isinstance(cur, dict) else cur[key]
            want = list if isinstance(leaf.path[depth + 1], int) else dict
            if not isinstance(held, want) or (want is list and not held):
                held = await self.good(self._type_at(root, here), _name(here), req, root)
                cur[key] = held
            cur = held
        cur[leaf.path[-1]] = await self.expand(value, leaf, req, root)

    @staticmethod
    def _type_at(root: GraphQLField, path: tuple) -> Any:
        t = root.args[path[0]].type
        for key in path[1:]:
            t = t.of_type if is_non_null_type(t) else t
            t = t.of_type if isinstance(key, int) else t.fields[key].type
        return t

    async def defaults(self, root: GraphQLField, req: Req) -> dict:
        return {
            a: await self.good(arg.type, a, req, root)
            for a, arg in root.args.items()
            if required(arg) or (req.op, a) in INCLUDE
        }

    # -- the runs -------------------------------------------------------------------------------------------

    async def fuzz_root(self, kind: str, op: str) -> None:
        root = (SCHEMA.mutation_type if kind == "mutation" else SCHEMA.query_type).fields[op]
        auth = self.tokens[CALLER.get(op, "admin")]
        for name, arg in root.args.items():
            for leaf in walk((name,), arg.type):
                for bad in self.bad_values(leaf, root, kind, op):
                    req = Req(op, next(self.counter))
                    variables = await self.defaults(root, req)
                    await self.put(variables, leaf, bad.value, req, root, op)
                    query = self.root_query(kind, op, root, list(variables))
                    await self.attempt(f"{kind} {op}", leaf.shown, bad, query, variables, auth, op, kind, req)

    @staticmethod
    def root_query(kind: str, op: str, root: GraphQLField, names: list[str]) -> str:
        decl = ", ".join(f"${a}: {root.args[a].type}" for a in names)
        head = f"{kind}({decl})" if decl else kind
        return f"{head} {{ {op}{f'({arg_list(names)})' if names else ''} {selection(root.type)} }}"

    async def anyone(self, kind: str, op: str) -> None:
        """The defaults, from callers other than the one the operation is for."""
        root = (SCHEMA.mutation_type if kind == "mutation" else SCHEMA.query_type).fields[op]
        secret = self.services.accounts.tokens.secret
        now = int(CLOCK.now().timestamp())
        aid = raw(self.account_admin)
        callers = {
            "anonymous": None,
            "committee": self.committee,
            "coordinator elsewhere": self.foreign,
            "coordinator": self.coordinator,
            "malformed token": "Bearer not.a.token",
            "wrong scheme": f"Basic {base64.b64encode(b'a:b').decode()}",
            "empty bearer": "Bearer ",
            "forged token": "Bearer " + jwt.encode({"sub": aid, "exp": now + 60}, "not-the-secret" * 4, "HS256"),
            "expired token": "Bearer " + jwt.encode({"sub": aid, "exp": now - 60}, secret, "HS256"),
            "token of nobody": "Bearer " + jwt.encode({"sub": new_id(), "exp": now + 60}, secret, "HS256"),
            "token without exp": "Bearer " + jwt.encode({"sub": aid}, secret, "HS256"),
            "token with a text exp": "Bearer " + jwt.encode({"sub": aid, "exp": "soon"}, secret, "HS256"),
            "token with a number sub": "Bearer " + jwt.encode({"sub": 12, "exp": now + 60}, secret, "HS256"),
            "huge token": "Bearer " + "a" * 20_000,
        }
        for who, auth in callers.items():
            req = Req(op, next(self.counter))
            variables = await self.defaults(root, req)
            await self.attempt(
                f"{kind} {op} as {who}",
                "(defaults)",
                None,
                self.root_query(kind, op, root, list(variables)),
                variables,
                auth,
                op,
                kind,
                req,
            )

    def nested_targets(self) -> list[tuple[str, str, list[tuple[str, GraphQLField]]]]:
        """(type, field, path from a root field) of every field with arguments reachable in two hops,
        and of every node type's fields with arguments (reached through `node(id:)`)."""
        out = []
        seen: set[tuple[str, str]] = set()
        for t in SCHEMA.get_possible_types(SCHEMA.get_type("Node")):
            for fname, f in t.fields.items():
                if f.args:
                    out.append((t.name, fname, []))
        for rname, rfield in SCHEMA.query_type.fields.items():
            frontier = [([(rname, rfield)], get_named_type(rfield.type))]
            for _hop in range(2):
                nxt = []
                for path, t in frontier:
                    if (
                        not isinstance(t, GraphQLObjectType)
                        or is_list_type(path[-1][1].type)
                        or (is_non_null_type(path[-1][1].type) and is_list_type(path[-1][1].type.of_type))
                    ):
                        continue
                    for fname, f in t.fields.items():
                        target = get_named_type(f.type)
                        if f.args and (t.name, fname) not in seen:
                            seen.add((t.name, fname))
                            out.append((t.name, fname, path))
                        elif not f.args and isinstance(target, GraphQLObjectType):
                            nxt.append(([*path, (fname, f)], target))
                frontier = nxt
        return out

    async def fuzz_nested(self, type_name: str, fname: str, path: list[tuple[str, GraphQLField]]) -> None:
        target = SCHEMA.get_type(type_name).fields[fname]
        list_name = f"{type_name}.{fname}"
        root = path[0][1] if path else SCHEMA.query_type.fields["node"]
        op = path[0][0] if path else "node"
        auth = self.tokens[CALLER.get(op, "admin")]
        for aname, arg in target.args.items():
            for leaf in walk((aname,), arg.type):
                for bad in self.bad_values(leaf, target, "query", op, list_name):
                    req = Req(op, next(self.counter))
                    root_vars = {f"r_{k}": v for k, v in (await self.defaults(root, req)).items()}
                    if not path:
                        root_vars = {"r_id": self.static[type_name]}
                    args: dict = {}
                    await self.put(args, leaf, bad.value, req, target, list_name)
                    decl = [f"$r_{k[2:]}: {root.args[k[2:]].type}" for k in root_vars]
                    decl += [f"$a_{k}: {target.args[k].type}" for k in args]
                    inner = f"{fname}({arg_list(list(args), 'a_')}) {selection(target.type, 1)}"
                    if path:
                        body = inner
                        for hop, _ in reversed(path[1:]):
                            body = f"{hop} {{ {body} }}"
                        rargs = [k[2:] for k in root_vars]
                        call = f"{path[0][0]}({', '.join(f'{a}: $r_{a}' for a in rargs)})" if rargs else path[0][0]
                        query = f"query({', '.join(decl)}) {{ {call} {{ {body} }} }}".replace("query() ", "query ")
                    else:
                        query = f"query({', '.join(decl)}) {{ node(id: $r_id) {{ ... on {type_name} {{ {inner} }} }} }}"
                    variables = {**root_vars, **{f"a_{k}": v for k, v in args.items()}}
                    via = " → ".join(p[0] for p in path) if path else f"node(id:) on {type_name}"
                    await self.attempt(
                        f"query {via}",
                        f"{list_name}({leaf.shown})",
                        bad,
                        query,
                        variables,
                        auth,
                        op,
                        "query",
                        args=[target.args, root.args],
                    )


@pytest.fixture(scope="module")
async def fuzz(runtime, services, repos, commands):
    tracker = WriteTracker(commands)
    tracker.install()
    try:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            f = Fuzz(client, services, repos, runtime, tracker)
            started = time.perf_counter()
            await f.build()
            f.build_seconds = time.perf_counter() - started
            yield f
    finally:
        tracker.uninstall()


def report(f: Fuzz, title: str, started: float, before: int) -> None:
    took = time.perf_counter() - started
    print(f"\n{title}: {f.requests - before} requests in {took:.1f} s, {len(f.failures)} problems")
    if f.failures:
        shown = "\n".join(f.failures[:300])
        more = f"\n… and {len(f.failures) - 300} more" if len(f.failures) > 300 else ""
        pytest.fail(f"{len(f.failures)} bad answers to bad input:\n{shown}{more}", pytrace=False)


async def test_every_mutation_argument(fuzz):
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    for op in SCHEMA.mutation_type.fields:
        await fuzz.fuzz_root("mutation", op)
    report(fuzz, f"mutations (world built in {fuzz.build_seconds:.1f} s)", started, before)


async def test_every_query_argument(fuzz):
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    for op in SCHEMA.query_type.fields:
        await fuzz.fuzz_root("query", op)
    report(fuzz, "queries", started, before)


async def test_nested_field_arguments(fuzz):
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    targets = fuzz.nested_targets()
    reached = {(t, f) for t, f, _ in targets}
    assert {
        ("Organisation", "needs"),
        ("Need", "tasks"),
        ("Task", "applications"),
        ("Volunteer", "assignments"),
    } <= reached, reached
    for type_name, fname, path in targets:
        await fuzz.fuzz_nested(type_name, fname, path)
    report(fuzz, "nested fields", started, before)


async def test_every_operation_from_every_kind_of_caller(fuzz):
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    for kind, fields in (("query", SCHEMA.query_type.fields), ("mutation", SCHEMA.mutation_type.fields)):
        for op in fields:
            await fuzz.anyone(kind, op)
    report(fuzz, "callers", started, before)


async def test_malformed_requests(fuzz):
    """The request itself: bad text, bad variables, bad JSON; never a 5xx."""
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    parse, invalid = ErrorCode.GRAPHQL_PARSE_FAILED.value, ErrorCode.GRAPHQL_VALIDATION_FAILED.value
    bodies: dict[str, tuple[dict, str | None]] = {
        "syntax error": ({"query": "query { node(id: ", "variables": {}}, parse),
        "unknown field": ({"query": "{ nope }"}, invalid),
        "variables not an object": ({"query": "query($id: ID!) { node(id: $id) { id } }", "variables": [1]}, None),
        "undeclared variable": ({"query": "{ node(id: $id) { id } }", "variables": {"id": "x"}}, invalid),
        "wrong literal type": ({"query": '{ organisations(first: "ten") { totalCount } }'}, invalid),
        "literal out of Int range": ({"query": "{ organisations(first: 2147483648) { totalCount } }"}, invalid),
        "literal unknown enum": ({"query": "{ organisations(kind: NOPE) { totalCount } }"}, invalid),
        "missing variable": ({"query": "query($id: ID!) { node(id: $id) { id } }"}, ErrorCode.INVALID_INPUT.value),
        "two operations, no name": ({"query": "query a { viewer { id } } query b { viewer { id } }"}, None),
        "unknown operation name": ({"query": "query a { viewer { id } }", "operationName": "b"}, None),
        "query not a string": ({"query": 12}, None),
        "no query": ({"variables": {}}, None),
        "too deep": (
            {
                "query": "{ viewer { organisations { parent { parent { parent { parent { parent { parent "
                "{ parent { parent { parent { id } } } } } } } } } } } }"
            },
            invalid,
        ),
        "too many tokens": ({"query": "{ " + "viewer { id } " * 700 + "}"}, invalid),
        "too many aliases": ({"query": "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(40)) + " }"}, invalid),
    }
    for label, (payload, expected) in bodies.items():
        fuzz.requests += 1
        r = await fuzz.client.post(
            "/graphql",
            content=json.dumps(payload).encode(),
            headers={"content-type": "application/json", "authorization": fuzz.admin},
        )
        if r.status_code >= 500:
            fuzz.failures.append(f"POST /graphql {label} → HTTP {r.status_code}: {short(r.text)}")
            continue
        try:
            body = r.json()
        except ValueError:
            body = None  # a 4xx the HTTP layer wrote (e.g. "no query"): fine, as long as it is not a 5xx
        codes = [(e.get("extensions") or {}).get("code") for e in (body or {}).get("errors") or []]
        if any(c not in CODES or c == INTERNAL for c in codes) or (expected and codes != [expected] * len(codes)):
            fuzz.failures.append(f"POST /graphql {label} → codes {codes}, expected {expected or 'any'}")
        elif expected and not codes:
            fuzz.failures.append(f"POST /graphql {label} → HTTP {r.status_code} without errors: {short(r.text)}")
    for label, raw_body in {"not JSON": b"{nope", "not UTF-8": b"\xff\xfe", "empty": b""}.items():
        fuzz.requests += 1
        r = await fuzz.client.post("/graphql", content=raw_body, headers={"content-type": "application/json"})
        if r.status_code >= 500:
            fuzz.failures.append(f"POST /graphql {label} → HTTP {r.status_code}: {short(r.text)}")
    report(fuzz, "malformed requests", started, before)


async def test_hours_csv_with_bad_parameters(fuzz):
    """Bad and extreme query parameters: a 4xx with a JSON error code, never a 5xx, never a CSV."""
    started, before = time.perf_counter(), fuzz.requests
    fuzz.failures.clear()
    org, city = fuzz.village, f"{fuzz.city}00"
    scopes = {"organisationId": org}
    cases: dict[str, tuple[dict | list, str | None]] = {
        "good": ({**scopes, "groupBy": "MONTH"}, fuzz.admin),
        "no scope": ({"groupBy": "MONTH"}, fuzz.admin),
        "two scopes": ({"organisationId": org, "regionCode": city, "groupBy": "MONTH"}, fuzz.admin),
        "anonymous": ({**scopes, "groupBy": "MONTH"}, None),
        "malformed token": ({**scopes, "groupBy": "MONTH"}, "Bearer nope"),
        "committee elsewhere": ({"regionCode": "110000", "groupBy": "MONTH"}, fuzz.committee),
        "volunteer for another": ({"volunteerId": fuzz.vol_b["gid"], "groupBy": "MONTH"}, fuzz.tokens["volunteer"]),
        "repeated parameters": ([("organisationId", org), ("organisationId", "x"), ("groupBy", "MONTH")], fuzz.admin),
    }
    for name, value in {
        "organisationId": [
            "not-an-id",
            "",
            fuzz.need_main,
            encode_id("Organisation", new_id()),
            "Q" * 5000,
            encode_id("Organisation", "a\x00b"),
            "任务",
        ],
        "volunteerId": ["not-an-id", org, encode_id("Volunteer", new_id())],
        "regionCode": ["", "abc", "9" * 5000, "4210000", "４２１０００"],
        "groupBy": ["", "month", "NOPE", "X" * 5000],
        "from": [
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "soon",
            "",
            "+002026-01-01",
            "2026-03-01T00:00:00",
            "1999-12-01",
            "2000-01-01",
        ],
        "to": ["0001-01-31", "9999-12-31", "2026-02-30", "soon", "", "2100-12-31", "2026-03-30"],
    }.items():
        for v in value:
            params = {**scopes, "groupBy": "MONTH"}
            if name in ("volunteerId", "regionCode"):
                params.pop("organisationId")
            params[name] = v
            cases[f"{name}={v[:30]}"] = (params, fuzz.admin)
    cases["from after to"] = ({**scopes, "groupBy": "MONTH", "from": "2026-03-01", "to": "2026-01-31"}, fuzz.admin)
    cases["121 months"] = ({**scopes, "groupBy": "MONTH", "from": "2000-01-01", "to": "2100-12-31"}, fuzz.admin)
    # Everything else must be refused.
    fine = {"good", "repeated parameters", "from=2000-01-01", "to=2100-12-31"}
    for label, (params, auth) in cases.items():
        fuzz.requests += 1
        headers = {"authorization": auth} if auth else {}
        r = await fuzz.client.get("/exports/hours.csv", params=params, headers=headers)
        if r.status_code >= 500:
            fuzz.failures.append(f"GET /exports/hours.csv {label} → HTTP {r.status_code}: {short(r.text)}")
        elif r.status_code >= 400:
            try:
                codes = [e.get("code") for e in r.json()["errors"]]
            except (ValueError, KeyError, TypeError):
                codes = [f"no JSON errors: {short(r.text)}"]
            if not codes or any(c not in CODES or c == INTERNAL for c in codes):
                fuzz.failures.append(f"GET /exports/hours.csv {label} → HTTP {r.status_code} codes {codes}")
        elif label not in fine:
            fuzz.failures.append(f"GET /exports/hours.csv {label} → HTTP {r.status_code}: accepted")
    report(fuzz, "hours.csv", started, before)
