"""In-memory objects, events and idempotency records, guarded by one lock."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

from stripe_sandbox.errors import resource_missing


@dataclass(frozen=True)
class IdempotentResult:
    """The saved outcome of a request that carried an ``Idempotency-Key``."""

    endpoint: str
    params: tuple[tuple[str, str], ...]
    status: int
    body: str
    request_id: str


class Store:
    """Everything the sandbox remembers; callers hold ``lock`` across read-modify-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every object, event and idempotency key."""
        with self.lock:
            self.objects: dict[str, dict] = {}
            self.private: dict[str, dict] = {}
            self.events: list[dict] = []
            self.event_positions: dict[str, int] = {}
            self.idempotency: dict[str, IdempotentResult] = {}

    def add(self, obj: dict) -> dict:
        """Keep ``obj`` under its id and return it."""
        with self.lock:
            self.objects[obj["id"]] = obj
        return obj

    def find(self, object_type: str, object_id: str) -> dict | None:
        """The live object with this id and type, or None."""
        with self.lock:
            obj = self.objects.get(object_id)
        return obj if obj is not None and obj["object"] == object_type else None

    def require(self, object_type: str, object_id: str, param: str = "id") -> dict:
        """The live object, or Stripe's 404 ``resource_missing`` error."""
        obj = self.find(object_type, object_id)
        if obj is None:
            raise resource_missing(object_type, object_id, param)
        return obj

    def snapshot(self, object_type: str, object_id: str, param: str = "id") -> dict:
        """A deep copy safe to serialise outside the lock."""
        with self.lock:
            return copy.deepcopy(self.require(object_type, object_id, param))

    def add_event(self, event: dict) -> None:
        """Append an event; its position orders ``/v1/events`` even within one second."""
        with self.lock:
            self.event_positions[event["id"]] = len(self.events)
            self.events.append(event)
            self.objects[event["id"]] = event
