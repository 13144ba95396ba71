"""Command line: `python -m api.cli serve | load-demo | create-admin | export-schema | rebuild-rollups | ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bootstrap import Services
from config import ROOT, Settings
from services.errors import DomainError

SCHEMA_FILE = ROOT / "schema.graphql"
ERRORS_FILE = ROOT / "docs" / "errors.md"
T = TypeVar("T")


def schema_sdl() -> str:
    from schema import build_schema

    return build_schema(Settings.from_env().limits).as_str() + "\n"


async def _with_services(work: Callable[[Services], Awaitable[T]]) -> T:
    from api.runtime import Runtime

    runtime = Runtime(Settings.from_env())
    services = await runtime.start()
    try:
        return await work(services)
    finally:
        await runtime.stop()


def _run(work: Callable[[Services], Awaitable[T]]) -> T:
    """Runs `work` on a started runtime; a domain error is printed and exits 1."""
    try:
        return asyncio.run(_with_services(work))
    except DomainError as exc:
        for p in exc.problems:
            where = ".".join(p.field or ())
            print(f"{p.code}: {where + ' ' if where else ''}{p.message}", file=sys.stderr)
        sys.exit(1)


async def _load_demo(services: Services, only_if_empty: bool) -> str:
    if only_if_empty and not await services.demo.is_database_empty():
        return "database not empty: demo data not loaded"
    counts = await services.demo.load()
    return "demo data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.app import create_app
    from api.server import server_config

    settings = Settings.from_env()
    if args.load_demo_if_empty:
        print(_run(lambda s: _load_demo(s, only_if_empty=True)))
    server = uvicorn.Server(
        server_config(create_app(settings), settings.host, settings.port, access_log=settings.access_log)
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn shut down cleanly, then re-raised the signal
        server.run()
    if not server.started:  # the start-up failed: exit 3, as `uvicorn.run` does
        sys.exit(3)


def cmd_load_demo(args: argparse.Namespace) -> None:
    print(_run(lambda s: _load_demo(s, only_if_empty=not args.force)))


def cmd_create_admin(args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("password: ")

    async def work(services: Services) -> str:
        return (await services.accounts.create_admin(args.email, password, args.name))["_id"]

    print("admin account", _run(work), "created")


def errors_markdown() -> str:
    """docs/errors.md: every code a client can receive, from `ErrorCode`."""
    from services.errors import ErrorCode

    lines = [
        "# Error codes",
        "",
        "Every code a client can receive: in a mutation payload's `errors[].code`, or in `extensions.code` of a",
        "GraphQL error (queries, nested fields, the request itself), or in the `errors` of `GET /exports/hours.csv`.",
        'Codes are stable. `field` points at the input field at fault (e.g. `["tasks", "0", "endsAt"]`).',
        "An INTERNAL_ERROR or DATABASE_UNAVAILABLE carries `requestId`, which is also the response's `X-Request-Id`",
        "header and is in the server log beside the cause (DATABASE_UNAVAILABLE: HTTP 503 from the CSV export).",
        "This file is generated from `services/errors.py` by `make schema`.",
        "",
        "| code | when |",
        "|---|---|",
    ]
    lines += [f"| `{code.value}` | {code.when} |" for code in ErrorCode]
    return "\n".join(lines) + "\n"


def cmd_export_schema(args: argparse.Namespace) -> None:
    SCHEMA_FILE.write_text(schema_sdl())
    ERRORS_FILE.write_text(errors_markdown())
    print(f"wrote {SCHEMA_FILE} and {ERRORS_FILE}")


def cmd_rebuild_rollups(args: argparse.Namespace) -> None:
    print(f"rebuilt {_run(lambda s: s.rollups.rebuild())} rollup documents")


def cmd_repair_claims(args: argparse.Namespace) -> None:
    removed = _run(lambda s: s.seating.repair())
    print(f"removed {removed} abandoned slot/time claim(s) and recounted their tasks")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="vm", description="volunteer-matching backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API (HOST, PORT, MONGODB_URI from the environment)")
    serve.add_argument("--load-demo-if-empty", action="store_true")
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("load-demo", help="load the demo data set into an empty database")
    demo.add_argument("--force", action="store_true", help="load even if the database has data")
    demo.set_defaults(func=cmd_load_demo)
    admin = sub.add_parser("create-admin", help="create an ADMIN account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password", help="prompted for when omitted")
    admin.set_defaults(func=cmd_create_admin)
    export = sub.add_parser("export-schema", help=f"write {SCHEMA_FILE.name} and docs/{ERRORS_FILE.name}")
    export.set_defaults(func=cmd_export_schema)
    rollups = sub.add_parser(
        "rebuild-rollups", help="recompute every hours rollup from the verified entries (stop the API processes first)"
    )
    rollups.set_defaults(func=cmd_rebuild_rollups)
    repair = sub.add_parser("repair-claims", help="remove slot and time claims left by a crash or a cancelled task")
    repair.set_defaults(func=cmd_repair_claims)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
