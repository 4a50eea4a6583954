"""The request log of one server: what tests and benchmarks read to count calls (writes especially)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

# Enough for any test or benchmark run; older entries are dropped from memory (the file keeps them).
MAX_ENTRIES_IN_MEMORY = 200_000


class RequestLog:
    def __init__(self, path: Path):
        self.path = path
        self._entries: list[dict] = []
        self._last_seq = 0
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8", buffering=1)  # line-buffered: one write per request

    def add(self, method: str, path: str, query: str, status: int, remote: str, no_effect: bool = False) -> None:
        with self._lock:
            self._last_seq += 1
            entry = {"seq": self._last_seq, "time": round(time.time(), 3), "method": method, "path": path,
                     "query": query, "status": status, "remote": remote}
            if no_effect:
                entry["no_effect"] = True
            self._entries.append(entry)
            if len(self._entries) > MAX_ENTRIES_IN_MEMORY:
                del self._entries[:len(self._entries) // 10]
            self._file.write(json.dumps(entry) + "\n")

    def since(self, seq: int) -> dict:
        with self._lock:
            return {"last_seq": self._last_seq, "requests": [entry for entry in self._entries if entry["seq"] > seq]}

    def clear(self) -> None:
        """Forget every entry (sequence numbers keep counting, so a `since` taken earlier stays valid)."""
        with self._lock:
            self._entries.clear()
            self._file.truncate(0)

    def close(self) -> None:
        with self._lock:
            self._file.close()
