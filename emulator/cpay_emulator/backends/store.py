"""The emulator's state in SQLite: one connection, WAL, one transaction per change, group commit.

The store knows no table: each domain backend declares its own (``create_tables``) and runs its own statements
through ``transaction()``. The connection is used only from the event loop's thread. Each backend call runs
synchronously (microseconds) between two awaits, so calls never interleave: writes are serialised without
locks, and a UNIQUE index can back a check (the orders' ``merchantTradeNo``). WAL with ``synchronous=NORMAL``
keeps every committed transaction across a process crash (``kill -9``); only a power loss could drop the last
ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["MEMORY", "Store"]

MEMORY = ":memory:"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Store:
    """The SQLite database: a file (default) or ``:memory:`` for tests.

    Group commit: inside a running event loop, the changes made during one loop iteration share one SQLite
    transaction, committed by a callback at the start of the next iteration. Each change still runs in its
    own ``SAVEPOINT``, so it is applied whole or not at all; a response is sent only after ``flushed()``,
    so a client never sees a success that a crash could take back. Committing once per iteration instead of
    once per change writes each touched page to the WAL once. Outside an event loop (start-up, scripts,
    tests of the service) every change is its own ``BEGIN IMMEDIATE`` ... ``COMMIT``.
    """

    def __init__(self, path: str | Path = MEMORY, *, group_commit: bool = True) -> None:
        self.path = str(path)
        self.group_commit = group_commit
        # check_same_thread=False: the app is built on one thread and served from the event loop's thread;
        # it is still used from one thread at a time.
        self.connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.execute("PRAGMA busy_timeout=5000")
        # Group commit bookkeeping: batches are numbered; 0 means no batch is open.
        self._open_batch = 0
        self._last_batch = 0
        self._committed_batch = 0
        self._failure: tuple[int, sqlite3.Error] | None = None

    @contextmanager
    def transaction(self, *, single_statement: bool = False) -> Iterator[sqlite3.Connection]:
        """One atomic change: rolled back if the block raises. Not re-entrant.

        In an event loop the change joins the iteration's group commit (see the class); ``await flushed()``
        before telling anyone it happened. ``single_statement=True`` promises that the block runs at most one
        writing statement: SQLite undoes a failed statement by itself, so no savepoint is needed around it.
        """
        connection = self.connection
        if not self._open_batch:
            loop = _running_loop() if self.group_commit else None
            connection.execute("BEGIN IMMEDIATE")
            if loop is None:
                try:
                    yield connection
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
                return
            self._last_batch += 1
            self._open_batch = self._last_batch
            loop.call_soon(self._commit_batch)
        if single_statement:
            yield connection
            return
        connection.execute("SAVEPOINT change")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK TO change")
            connection.execute("RELEASE change")
            raise
        connection.execute("RELEASE change")

    def create_tables(self, schema: str) -> None:
        """Run a backend's ``CREATE ... IF NOT EXISTS`` statements; at start-up, never inside a change."""
        if self._open_batch:
            raise RuntimeError("tables are created when a backend is built, not inside a change")
        self.connection.executescript(schema)

    def _commit_batch(self) -> None:
        batch, self._open_batch = self._open_batch, 0
        if not batch:
            return
        try:
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")
            self._failure = (batch, error)
        finally:
            self._committed_batch = batch

    async def flushed(self) -> None:
        """Wait until every change made so far is committed (raises the COMMIT's error if it failed).

        The commit callback was queued when the batch opened, so it runs before a task that yields now
        resumes: one bare yield is enough (the loop only guards against a surprise).
        """
        batch = self._open_batch
        if not batch:
            return
        while self._committed_batch < batch:
            await asyncio.sleep(0)
        if self._failure is not None and self._failure[0] == batch:
            raise self._failure[1]

    def close(self) -> None:
        """Commit what is pending and close the connection (the last close checkpoints the WAL)."""
        self._commit_batch()
        self.connection.close()
