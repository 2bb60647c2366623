"""Each route's URL builders compiled once per test process instead of once per test's app.

Werkzeug compiles two small Python functions for every route when an app is created (an ast
built, walked and compiled: 45 of the 65 ms of CPU that ``create_app`` takes here), and the suite
creates an app for nearly every test. A builder is a function of the route's pattern, defaults and
converters only; it reaches the rule it builds for through its ``.self`` argument. So a rule that
matches one compiled before gets the same function, bound to itself: what ``url_for`` returns is
unchanged. Test processes only; production apps are created once per worker anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from werkzeug.routing import Rule

_original = Rule._compile_builder
_compiled: dict[Hashable, Callable] = {}


def _key(rule: Rule, append_unknown: bool) -> Hashable | None:
    converters = tuple(
        sorted(
            (name, type(converter), repr(sorted(_settings(converter).items())))
            for name, converter in rule._converters.items()
        )
    )
    key = (
        rule.rule,
        tuple(rule._trace),
        tuple(sorted((rule.defaults or {}).items())),
        converters,
        append_unknown,
    )
    try:
        hash(key)
    except TypeError:  # a default that cannot be a key: compiled as Werkzeug does
        return None
    return key


def _settings(converter) -> dict:
    """What a converter was made with (its map aside): what its ``to_url`` can depend on."""
    return {name: value for name, value in vars(converter).items() if name != "map"}


def _compile_builder(self: Rule, append_unknown: bool = True) -> Callable:
    key = _key(self, append_unknown)
    if key is None:
        return _original(self, append_unknown)
    if (builder := _compiled.get(key)) is None:
        builder = _compiled[key] = _original(self, append_unknown)
    return builder


def share_compiled_url_builders() -> None:
    Rule._compile_builder = _compile_builder
