"""The API as a process of its own for the crash test: the tests' clock, crash points enabled.

`python -m tests.system.crash_server` serves on `PORT` over `DATA_DIR` (both from the environment).
"""

from __future__ import annotations

import asyncio

import uvicorn

from api.app import create_app
from api.runtime import Runtime
from config import Settings
from tests.support import CLOCK


async def main() -> None:
    settings = Settings.from_env(crash_points=True)
    runtime = Runtime(settings, clock=CLOCK)
    await runtime.start()
    config = uvicorn.Config(
        create_app(runtime=runtime), host="127.0.0.1", port=settings.port, log_level="warning", lifespan="off"
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main())
