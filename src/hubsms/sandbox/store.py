"""Captured messages in SQLite: in memory by default, in a file (0600) so they survive a restart.

One connection guarded by one lock. The same lock backs a Condition, so a long-poll waits
for the next insert without a sleep loop and no insert can slip between check and wait.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, NamedTuple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    to_ TEXT NOT NULL,
    from_ TEXT,
    service_sid TEXT,
    body TEXT NOT NULL,
    code TEXT,
    num_segments INTEGER NOT NULL,
    num_media INTEGER NOT NULL,
    created REAL NOT NULL,
    step_delay REAL NOT NULL,
    final_status TEXT NOT NULL,
    error_code INTEGER,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS messages_to ON messages (to_, id);
"""
_COLUMNS = (
    "sid", "account_sid", "to_", "from_", "service_sid", "body", "code", "num_segments",
    "num_media", "created", "step_delay", "final_status", "error_code", "error_message",
)

_INSERT = f"INSERT INTO messages ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _private_file(path: str) -> None:
    """Create the database file readable by its owner only (0600: it holds OTP codes), or
    make an existing one so; SQLite gives its -wal and -shm files the same mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class Query(NamedTuple):
    """Filters of a list: None means 'any'. ``before_id``/``after_id`` bound the row ids."""

    account_sid: str | None = None
    to: str | None = None
    from_: str | None = None
    created_from: float | None = None
    created_before: float | None = None
    before_id: int | None = None
    after_id: int | None = None
    with_code: bool = False

    def where(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        args: list[Any] = []
        checks = (
            ("account_sid = ?", self.account_sid), ("to_ = ?", self.to),
            ("from_ = ?", self.from_), ("created >= ?", self.created_from),
            ("created < ?", self.created_before), ("id < ?", self.before_id),
            ("id > ?", self.after_id),
        )
        for clause, value in checks:
            if value is not None:
                parts.append(clause)
                args.append(value)
        if self.with_code:
            parts.append("code IS NOT NULL")
        return (" WHERE " + " AND ".join(parts)) if parts else "", args


class MessageStore:
    """Thread-safe message storage; every public method takes the lock."""

    __slots__ = ("_db", "_changed", "_closed")

    def __init__(self, path: str | None = None) -> None:
        if path:
            _private_file(path)
        # Autocommit: each statement is its own transaction, without a BEGIN and COMMIT
        # round of its own (add_many opens one explicitly).
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path:
            # WAL without fsync per commit: a sink, not a ledger; survives a restart.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._changed = threading.Condition(threading.Lock())
        self._closed = False

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            self._db.close()

    def add(self, row: dict[str, Any]) -> dict[str, Any]:
        """Store one message and wake every waiter; returns the stored row."""
        values = [row[c] for c in _COLUMNS]
        with self._changed:
            cursor = self._db.execute(_INSERT, values)
            self._changed.notify_all()
            return {**row, "id": cursor.lastrowid}

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Store many messages in one transaction (benchmarks/sandbox.py fills 100k); wakes every waiter."""
        with self._changed:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(_INSERT, [[row[c] for c in _COLUMNS] for row in rows])
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._changed.notify_all()

    def get(self, sid: str, account_sid: str | None = None) -> dict[str, Any] | None:
        rows = self._select(Query(account_sid=account_sid), "sid = ?", [sid], limit=1)
        return rows[0] if rows else None

    def row_id(self, sid: str) -> int | None:
        row = self.get(sid)
        return row["id"] if row else None

    def find(self, query: Query, limit: int, offset: int = 0, oldest_first: bool = False) -> list[dict[str, Any]]:
        """Rows matching ``query``, newest first (or oldest first), paged by limit/offset."""
        order = "ASC" if oldest_first else "DESC"
        return self._select(query, None, [], limit=limit, offset=offset, order=order)

    def wait_newest(self, query: Query, timeout: float) -> dict[str, Any] | None:
        """The newest row matching ``query``, waiting up to ``timeout`` s for one to arrive."""
        found: list[dict[str, Any]] = []

        def ready() -> bool:
            if self._closed:
                return True
            found[:] = self._select_locked(query, None, [], 1, 0, "DESC")
            return bool(found)

        with self._changed:
            self._changed.wait_for(ready, timeout=max(timeout, 0.0))
        return found[0] if found else None

    def delete(self, to: str | None = None) -> int:
        with self._changed:
            if to is None:
                cursor = self._db.execute("DELETE FROM messages")
            else:
                cursor = self._db.execute("DELETE FROM messages WHERE to_ = ?", [to])
            return cursor.rowcount

    def count(self) -> int:
        with self._changed:
            return self._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]

    def _select(self, query: Query, extra: str | None, extra_args: list[Any], limit: int,
                offset: int = 0, order: str = "DESC") -> list[dict[str, Any]]:
        with self._changed:
            return self._select_locked(query, extra, extra_args, limit, offset, order)

    def _select_locked(self, query: Query, extra: str | None, extra_args: list[Any],
                       limit: int, offset: int, order: str) -> list[dict[str, Any]]:
        if self._closed:
            return []
        where, args = query.where()
        if extra:
            where = f"{where} AND {extra}" if where else f" WHERE {extra}"
        sql = f"SELECT * FROM messages{where} ORDER BY id {order} LIMIT ? OFFSET ?"
        rows = self._db.execute(sql, [*args, *extra_args, limit, offset]).fetchall()
        return [dict(r) for r in rows]

