"""Decode Stripe's bracket-nested form parameters and check them against a schema."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from stripe_sandbox.errors import (
    StripeError,
    missing_parameter,
    unknown_parameter,
    unsupported_parameter,
)

_NAME = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)\Z")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INTEGER = re.compile(r"-?\d+\Z")
_METADATA_KEYS = 50
_METADATA_KEY_LENGTH = 40
_METADATA_VALUE_LENGTH = 500


def decode(pairs: Iterable[tuple[str, str]]) -> dict:
    """Nest ``a[b][0]=v`` pairs into dicts; array indices stay keys until the schema asks."""
    root: dict = {}
    for name, value in pairs:
        match = _NAME.match(name)
        if match is None:
            raise unknown_parameter(name)
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        _assign(root, path, value)
    return root


def _assign(node: dict, path: list[str], value: str) -> None:
    for depth, key in enumerate(path[:-1]):
        # `a[]=x` (Rails style) appends, as Stripe accepts besides explicit indices.
        child = node.setdefault(key or str(len(node)), {})
        if not isinstance(child, dict):
            raise StripeError("Invalid object", param=bracket_name(path[: depth + 1]))
        node = child
    last = path[-1] or str(len(node))
    if isinstance(node.get(last), dict):
        raise StripeError("Invalid object", param=bracket_name(path))
    node[last] = value


def bracket_name(path: Iterable[str]) -> str:
    """``["a", "b", "0"]`` → ``a[b][0]``, the way Stripe names a nested parameter."""
    head, *rest = list(path)
    return head + "".join(f"[{part}]" for part in rest)


@dataclass(frozen=True)
class Field:
    """One parameter's shape: a scalar kind, an object of fields, an array or a free map."""

    kind: str
    choices: tuple[str, ...] = ()
    fields: Mapping[str, Field] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    item: Field | None = None
    emptiable: bool = False


def string() -> Field:
    """A non-empty string parameter."""
    return Field("string")


def integer() -> Field:
    """An integer parameter (Stripe rejects ``12.5`` and ``abc`` alike)."""
    return Field("integer")


def boolean() -> Field:
    """A ``true``/``false`` parameter."""
    return Field("boolean")


def enum(*choices: str) -> Field:
    """A string limited to ``choices``."""
    return Field("enum", choices=choices)


def obj(
    fields: Mapping[str, Field],
    *,
    required: tuple[str, ...] = (),
    unsupported: tuple[str, ...] = (),
    emptiable: bool = False,
) -> Field:
    """A nested hash; ``emptiable`` lets ``""`` unset it as Stripe allows for some hashes."""
    return Field(
        "object", fields=fields, required=required, unsupported=unsupported, emptiable=emptiable
    )


def array(item: Field) -> Field:
    """An array sent as ``name[0]``, ``name[1]``…"""
    return Field("array", item=item)


def metadata() -> Field:
    """Stripe's metadata hash: string keys and values, ``""`` clears it."""
    return Field("metadata")


def clean(schema: Field, value: object, name: str) -> object:
    """Check ``value`` against ``schema`` and convert it, or raise Stripe's error."""
    return _CLEANERS[schema.kind](schema, value, name)


def clean_params(schema: Field, params: dict) -> dict:
    """Check a whole request's decoded parameters against an object schema."""
    return _clean_object(schema, params, "")


def _child(name: str, key: str) -> str:
    return f"{name}[{key}]" if name else key


def _scalar(value: object, name: str, kind: str) -> str:
    if isinstance(value, dict):
        raise StripeError(f"Invalid {kind}: a hash was sent", param=name)
    if value == "":
        raise StripeError(
            f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
            f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' "
            "from your request or supply a non-empty value.",
            code="parameter_invalid_empty",
            param=name,
        )
    return str(value)


def _clean_string(schema: Field, value: object, name: str) -> str:
    return _scalar(value, name, "string")


def _clean_integer(schema: Field, value: object, name: str) -> int:
    text = _scalar(value, name, "integer")
    if not _INTEGER.match(text):
        raise StripeError(f"Invalid integer: {text}", code="parameter_invalid_integer", param=name)
    return int(text)


def _clean_boolean(schema: Field, value: object, name: str) -> bool:
    text = _scalar(value, name, "boolean")
    if text not in ("true", "false"):
        raise StripeError(f"Invalid boolean: {text}", param=name)
    return text == "true"


def _clean_enum(schema: Field, value: object, name: str) -> str:
    text = _scalar(value, name, "string")
    if text not in schema.choices:
        leaf = _SEGMENT.findall(name)[-1] if "[" in name else name
        *head, tail = schema.choices
        listed = f"{', '.join(head)}, or {tail}" if head else tail
        raise StripeError(f"Invalid {leaf}: must be one of {listed}", param=name)
    return text


def _clean_object(schema: Field, value: object, name: str) -> dict | None:
    if value == "" and schema.emptiable:
        return None
    if not isinstance(value, dict):
        raise StripeError("Invalid object", param=name)
    cleaned = {}
    for key, raw in value.items():
        child = _child(name, key)
        if key in schema.unsupported:
            raise unsupported_parameter(child)
        if key not in schema.fields:
            raise unknown_parameter(child)
        cleaned[key] = clean(schema.fields[key], raw, child)
    for key in schema.required:
        if key not in cleaned:
            raise missing_parameter(_child(name, key))
    return cleaned


def _clean_array(schema: Field, value: object, name: str) -> list:
    if value == "":
        return []
    if not isinstance(value, dict) or not all(key.isdigit() for key in value):
        raise StripeError("Invalid array", param=name)
    indices = sorted(value, key=int)
    if [int(index) for index in indices] != list(range(len(indices))):
        raise StripeError("Invalid array: indices must start at 0 and be consecutive", param=name)
    return [clean(schema.item, value[index], _child(name, index)) for index in indices]


def _clean_metadata(schema: Field, value: object, name: str) -> dict[str, str]:
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeError("Invalid object", param=name)
    if len(value) > _METADATA_KEYS:
        raise StripeError(
            f"Invalid {name}: metadata can have at most {_METADATA_KEYS} keys", param=name
        )
    for key, item in value.items():
        _check_metadata_pair(name, key, item)
    return {key: item for key, item in value.items() if item != ""}


def _check_metadata_pair(name: str, key: str, item: object) -> None:
    param = _child(name, key)
    if isinstance(item, dict):
        raise StripeError("Invalid string: metadata values must be strings", param=param)
    if len(key) > _METADATA_KEY_LENGTH:
        raise StripeError(
            f"Metadata keys can have up to {_METADATA_KEY_LENGTH} characters, but you passed in "
            f"a key that is {len(key)} characters.",
            param=param,
        )
    if len(item) > _METADATA_VALUE_LENGTH:
        raise StripeError(
            f"Metadata values can have up to {_METADATA_VALUE_LENGTH} characters, but you "
            f"passed in a value that is {len(item)} characters.",
            param=param,
        )


_CLEANERS = {
    "string": _clean_string,
    "integer": _clean_integer,
    "boolean": _clean_boolean,
    "enum": _clean_enum,
    "object": _clean_object,
    "array": _clean_array,
    "metadata": _clean_metadata,
}
