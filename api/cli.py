"""Command line: `python -m api.cli serve | create-admin | export-schema | load-demo`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

from api.settings import ROOT, Settings

SCHEMA_FILE = ROOT / "schema.graphql"


def schema_sdl() -> str:
    from schema import build_schema

    return build_schema(Settings.from_env()).as_str() + "\n"


async def _with_runtime(work):
    from api.app import Runtime

    runtime = Runtime(Settings.from_env())
    await runtime.start()
    try:
        return await work(runtime.app)
    finally:
        await runtime.stop()


def cmd_serve(args) -> None:
    import uvicorn

    from api.app import create_app

    settings = Settings.from_env()
    if args.load_demo_if_empty:
        loaded = asyncio.run(_with_runtime(lambda app: _load_demo(app, only_if_empty=True)))
        print(loaded)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                access_log=settings.access_log, loop="uvloop", http="httptools")


async def _load_demo(app, only_if_empty: bool) -> str:
    from services.demo import load_demo

    if only_if_empty and await app.accounts.coll.find_one({}, {"_id": 1}) is not None:
        return "database not empty: demo data not loaded"
    counts = await load_demo(app)
    return "demo data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())


def cmd_load_demo(args) -> None:
    from services.errors import DomainError

    try:
        print(asyncio.run(_with_runtime(lambda app: _load_demo(app, only_if_empty=not args.force))))
    except DomainError as exc:
        _fail(exc)


def cmd_create_admin(args) -> None:
    from services.errors import DomainError

    password = args.password or getpass.getpass("password: ")

    async def work(app):
        doc = await app.account_service.create_admin(args.email, password, args.name)
        return doc["_id"]

    try:
        print("admin account", asyncio.run(_with_runtime(work)), "created")
    except DomainError as exc:
        _fail(exc)


def _fail(exc) -> None:
    for p in exc.problems:
        print(f"{p.code}: {'.'.join(p.field or ())} {p.message}".replace(":  ", ": "), file=sys.stderr)
    sys.exit(1)


def cmd_export_schema(args) -> None:
    SCHEMA_FILE.write_text(schema_sdl())
    print(f"wrote {SCHEMA_FILE}")


def cmd_rebuild_rollups(args) -> None:
    async def work(app):
        return await app.hour_service.rebuild_rollups()

    print(f"rebuilt {asyncio.run(_with_runtime(work))} rollup documents")


def cmd_repair_claims(args) -> None:
    async def work(app):
        return await app.engagement_service.repair()

    print(f"removed {asyncio.run(_with_runtime(work))} abandoned slot/time claim(s) and recounted their tasks")


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
    export = sub.add_parser("export-schema", help=f"write {SCHEMA_FILE.name}")
    export.set_defaults(func=cmd_export_schema)
    rollups = sub.add_parser("rebuild-rollups", help="recompute every hours rollup from the verified entries "
                                                     "(stop the API processes first)")
    rollups.set_defaults(func=cmd_rebuild_rollups)
    repair = sub.add_parser("repair-claims", help="remove slot and time claims left by a crash or a cancelled task")
    repair.set_defaults(func=cmd_repair_claims)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
