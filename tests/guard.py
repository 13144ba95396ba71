"""The access-path guard: every GraphQL request of the API tests is checked for what it asks the database.

A request fails its test when it sends a filter no index serves (`db.collections.served_by_index`: on
the embedded engine it would read the whole collection) or more than MAX_COMMANDS commands (an N+1).
Commands are attributed to a request through a context variable, so the change-log writer, the
change feed's poll, the write sweep and test set-up (none of which run inside a request) are not
counted: they are the maintenance work the guard leaves alone.
"""

from __future__ import annotations

from contextvars import ContextVar

from pymongo.monitoring import CommandListener

from db.collections import served_by_index

MAX_COMMANDS = 40

_recording: ContextVar[list[dict] | None] = ContextVar("guard_recording", default=None)


class AccessGuard(CommandListener):
    def started(self, event) -> None:  # type: ignore[no-untyped-def]
        recorded = _recording.get()
        if recorded is not None:
            recorded.append({"name": event.command_name, "command": event.command})

    def succeeded(self, event) -> None:  # type: ignore[no-untyped-def]
        pass

    def failed(self, event) -> None:  # type: ignore[no-untyped-def]
        pass


def filters_of(name: str, command: dict) -> list[dict | None]:
    """The filters a command selects documents by (none for inserts)."""
    if name == "find":
        return [command.get("filter")]
    if name == "count":
        return [command.get("query")]
    if name in ("delete", "update"):
        return [s.get("q") for s in command.get(f"{name}s", [])]
    if name == "aggregate":
        stages = command.get("pipeline", [])
        return [stages[0].get("$match") if stages else None]
    return []


def problems(recorded: list[dict]) -> list[str]:
    found = []
    if len(recorded) > MAX_COMMANDS:
        names = [r["name"] + ":" + str(r["command"].get(r["name"])) for r in recorded]
        found.append(f"{len(recorded)} database commands in one request (at most {MAX_COMMANDS}): {names}")
    for r in recorded:
        collection = r["command"].get(r["name"])
        for filt in filters_of(r["name"], r["command"]):
            if not served_by_index(str(collection), filt):
                found.append(f"{r['name']} on {collection} by {filt!r}: no index serves this filter")
    return found


class Recording:
    """`with Recording() as recorded:` around one request."""

    def __enter__(self) -> list[dict]:
        self.recorded: list[dict] = []
        self.token = _recording.set(self.recorded)
        return self.recorded

    def __exit__(self, *exc: object) -> None:
        _recording.reset(self.token)
