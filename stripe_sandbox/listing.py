"""``GET /v1/events``: filters, cursor paging newest-first, and ``expand``."""

from __future__ import annotations

import copy
import fnmatch

from stripe_sandbox import objects
from stripe_sandbox.errors import StripeError, exclusive_parameters, resource_missing
from stripe_sandbox.params import array, clean, clean_params, integer, obj, string
from stripe_sandbox.store import Store

_RANGE = obj({"gt": integer(), "gte": integer(), "lt": integer(), "lte": integer()})
EVENT_LIST = obj(
    {
        "limit": integer(),
        "starting_after": string(),
        "ending_before": string(),
        "type": string(),
        "types": array(string()),
        "expand": array(string()),
    },
    unsupported=("delivery_success",),
)


def list_events(store: Store, params: dict) -> dict:
    """One page of events, newest first, as Stripe pages them."""
    created = params.pop("created", None)
    cleaned = clean_params(EVENT_LIST, params)
    limit = _limit(cleaned.get("limit", 10))
    if "starting_after" in cleaned and "ending_before" in cleaned:
        raise exclusive_parameters("ending_before", "starting_after")
    if "type" in cleaned and "types" in cleaned:
        raise exclusive_parameters("type", "types")
    matches = _filter(store, cleaned, _created_filter(created))
    page, has_more = _page(store, matches, cleaned, limit)
    data = [expand(store, copy.deepcopy(event), _item_paths(cleaned)) for event in page]
    return objects.list_object(data, has_more=has_more, url="/v1/events")


def _limit(limit: int) -> int:
    if not 1 <= limit <= 100:
        raise StripeError("This value must be between 1 and 100.", param="limit")
    return limit


def _created_filter(created: object) -> dict:
    if created is None:
        return {}
    if isinstance(created, str):
        return {"eq": clean(integer(), created, "created")}
    return clean(_RANGE, created, "created")


def _filter(store: Store, cleaned: dict, window: dict) -> list[dict]:
    patterns = cleaned.get("types") or ([cleaned["type"]] if "type" in cleaned else [])
    if len(patterns) > 20:
        raise StripeError("You can pass at most 20 types.", param="types")
    checks = {
        "eq": lambda value, bound: value == bound,
        "gt": lambda value, bound: value > bound,
        "gte": lambda value, bound: value >= bound,
        "lt": lambda value, bound: value < bound,
        "lte": lambda value, bound: value <= bound,
    }
    return [
        event
        for event in store.events
        if all(checks[op](event["created"], bound) for op, bound in window.items())
        # Stripe's `type` filter takes `*` wildcards, e.g. `checkout.session.*`.
        and (not patterns or any(fnmatch.fnmatchcase(event["type"], p) for p in patterns))
    ]


def _page(store: Store, matches: list[dict], cleaned: dict, limit: int) -> tuple[list, bool]:
    """Events are kept oldest-first; Stripe lists them newest-first."""
    if "starting_after" in cleaned:
        cursor = _position(store, cleaned["starting_after"], "starting_after")
        older = [e for e in reversed(matches) if store.event_positions[e["id"]] < cursor]
        return older[:limit], len(older) > limit
    if "ending_before" in cleaned:
        cursor = _position(store, cleaned["ending_before"], "ending_before")
        newer = [e for e in matches if store.event_positions[e["id"]] > cursor]
        return list(reversed(newer[:limit])), len(newer) > limit
    newest = list(reversed(matches))
    return newest[:limit], len(newest) > limit


def _position(store: Store, event_id: str, param: str) -> int:
    if event_id not in store.event_positions:
        raise resource_missing("event", event_id, param)
    return store.event_positions[event_id]


def _item_paths(cleaned: dict) -> list[str]:
    paths = cleaned.get("expand", [])
    for path in paths:
        if not path.startswith("data."):
            raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
    return [path.removeprefix("data.") for path in paths]


def expand(store: Store, target: dict, paths: list[str]) -> dict:
    """Replace id strings named by dotted ``paths`` with the objects they refer to."""
    for path in paths:
        _expand_path(store, target, path.split("."), path)
    return target


def _expand_path(store: Store, node: dict, parts: list[str], path: str) -> None:
    key, rest = parts[0], parts[1:]
    if key not in node:
        raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
    value = node[key]
    if isinstance(value, str):
        found = store.objects.get(value)
        if found is None:
            raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
        value = node[key] = copy.deepcopy(found)
    if rest and isinstance(value, dict):
        _expand_path(store, value, rest, path)
