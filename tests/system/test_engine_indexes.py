"""The embedded engine's `_id` lookups use an index (FerretDB v1.24 alone scans the table)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest


async def test_point_reads_by_id_use_an_index(repos, settings):
    if not settings.embedded:
        pytest.skip("FerretDB only")
    await repos.accounts.get("warm-up")
    path = settings.data_dir / "engine" / f"{settings.database_name}.sqlite"
    plan = ""
    for _ in range(50):  # the engine indexes new tables within a second
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # fresh: no cached statement plans
        try:
            (table,) = con.execute("SELECT table_name FROM _ferretdb_collections WHERE name = 'accounts'").fetchone()
            plan = " ".join(
                str(r[-1])
                for r in con.execute(
                    f"EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM \"{table}\" WHERE _ferretdb_sjson->'$._id' = ?",
                    ('"x"',),
                )
            )
        finally:
            con.close()
        if "USING INDEX" in plan:
            break
        await asyncio.sleep(0.1)
    assert f"USING INDEX {table}_id_lookup" in plan, plan
