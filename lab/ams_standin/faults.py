"""Fault injection (not AMS): rules that make this server misbehave on chosen requests, as real
networks and real servers do. Set through the control interface, `PUT /_lab/faults`.

A rule: {"method": "POST" or "*", "path": regex searched in the request path, "kind": ..., "count": N}
- "status": answer `status` (default 503) with an error page, without doing the work;
- "retry_after": answer 429 with a Retry-After header of `retry_after` seconds, without doing the work;
- "slow": wait `delay` seconds, then do the work and answer (later than a client's timeout);
- "reset": close the connection without an answer, without doing the work;
- "lose_reply": do the work, then close the connection without an answer.
A rule applies to its next `count` matching requests (default 1), then disappears."""

from __future__ import annotations

import re
import threading

KINDS = ("status", "retry_after", "slow", "reset", "lose_reply")


class FaultError(ValueError):
    """A rule that cannot be used; the message names it."""


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[dict] = []
        self.injected = 0  # how many requests got a fault since the server started

    def set(self, rules: object) -> None:
        if not isinstance(rules, list):
            raise FaultError("rules must be a list")
        parsed = []
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
                raise FaultError("rules[%d]: kind must be one of %s" % (index, ", ".join(KINDS)))
            try:
                pattern = re.compile(str(rule.get("path", "")))
            except re.error as error:
                raise FaultError("rules[%d]: path is not a regular expression: %s" % (index, error))
            count = rule.get("count", 1)
            if not isinstance(count, int) or count < 1:
                raise FaultError("rules[%d]: count must be a positive whole number" % index)
            parsed.append({"method": str(rule.get("method", "*")).upper(), "path": pattern.pattern,
                           "pattern": pattern, "kind": rule["kind"], "status": int(rule.get("status", 503)),
                           "delay": float(rule.get("delay", 0)), "retry_after": int(rule.get("retry_after", 1)),
                           "remaining": count, "hits": 0})
        with self._lock:
            self._rules = parsed

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def describe(self) -> dict:
        with self._lock:
            rules = [dict((key, value) for key, value in rule.items() if key != "pattern") for rule in self._rules]
            return {"rules": rules, "injected": self.injected}

    def take(self, method: str, path: str) -> dict | None:
        """The rule that applies to this request, counted; None when the request is served normally."""
        with self._lock:
            for rule in self._rules:
                if rule["remaining"] > 0 and rule["method"] in ("*", method) and rule["pattern"].search(path):
                    rule["remaining"] -= 1
                    rule["hits"] += 1
                    self.injected += 1
                    return dict(rule)
        return None
