"""Supervises the embedded engine: FerretDB v1 + SQLite, built from `db/engine/` by `make engine`.

The engine is a child process on a loopback port. Its stdin is a pipe we never write to, so when
this process dies, the engine sees EOF and stops by itself. If the engine dies while we run, the
supervisor starts it again on the same port and data folder, and the driver reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class EngineError(RuntimeError):
    pass


class EmbeddedEngine:
    def __init__(self, binary: Path, data_dir: Path, listen: str = "127.0.0.1:0") -> None:
        self.binary = Path(binary)
        self.data_dir = Path(data_dir)
        self.listen = listen
        self.uri: str | None = None
        self._proc: subprocess.Popen | None = None
        self._watch: asyncio.Task | None = None
        self._stopping = False
        self._lock = threading.Lock()  # a restart in flight and a stop never interleave

    def start_sync(self) -> str:
        """Start the process and block until it prints its URI (it listens by then)."""
        with self._lock:
            if self._stopping:
                raise EngineError("engine is stopping")
            return self._spawn()

    def _spawn(self) -> str:
        if not self.binary.exists():
            raise EngineError(f"engine binary {self.binary} is missing: run `make engine`")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        proc = self._proc = subprocess.Popen(
            [str(self.binary), "-listen", self.listen, "-data", str(self.data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("mongodb://"):
            code = proc.poll()
            raise EngineError(f"engine did not start (exit code {code}, said {line!r})")
        self.uri = line
        # Restarts must come back on the same port so the driver's URI stays valid.
        self.listen = line.removeprefix("mongodb://").rstrip("/")
        log.info("embedded engine listening at %s (data in %s)", self.uri, self.data_dir)
        return self.uri

    async def start(self) -> str:
        uri = await asyncio.to_thread(self.start_sync)
        self._watch = asyncio.create_task(self._supervise())
        return uri

    async def _supervise(self) -> None:
        while not self._stopping and self._proc is not None:
            code = await asyncio.to_thread(self._proc.wait)
            if self._stopping:
                return
            log.error("embedded engine exited with %s; restarting", code)
            await asyncio.sleep(0.5)
            try:
                await asyncio.to_thread(self.start_sync)
            except EngineError:
                if self._stopping:
                    return
                log.exception("engine restart failed; retrying")
                await asyncio.sleep(2)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def kill(self) -> None:
        """Kill the process without stopping supervision (used by failure tests)."""
        if self._proc and self._proc.poll() is None:
            self._proc.kill()

    def stop_sync(self) -> None:
        with self._lock:
            self._stopping = True
            proc = self._proc
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    async def stop(self) -> None:
        self._stopping = True
        await asyncio.to_thread(self.stop_sync)
        if self._watch:
            self._watch.cancel()
