"""Mastodon's documented entities, as Mastodon.py declares them (`mastodon/return_types.py`,
written by its authors from docs.joinmastodon.org): each field's type, and in the field's
docstring the Mastodon version that added it.

`differences(value, "Status")` lists where a JSON value departs from the entity as of the
API version this platform announces (`VERSION`): a field added by then must be there with
its type, unless it is `Optional` (then it may be missing or null); a field added later is
checked only when present. Ids are strings of digits, as Mastodon sends them.
"""

import ast
import functools
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import mastodon.return_types

VERSION = (4, 3, 0)

# Entities Mastodon documents that Mastodon.py does not declare as return types.
_EXTRA: dict[str, dict[str, tuple[str, tuple[int, ...] | None]]] = {
    # https://docs.joinmastodon.org/entities/Token/
    "Token": {
        "access_token": ("str", (0, 1, 0)),
        "token_type": ("str", (0, 1, 0)),
        "scope": ("str", (0, 1, 0)),
        "created_at": ("int", (0, 1, 0)),
    },
    # https://docs.joinmastodon.org/entities/Application/#CredentialApplication
    "CredentialApplication": {
        "client_id": ("str", (0, 9, 9)),
        "client_secret": ("str", (0, 9, 9)),
        "client_secret_expires_at": ("int", (4, 3, 0)),
    },
    # https://docs.joinmastodon.org/entities/Error/
    "Error": {"error": ("str", (0, 6, 0)), "error_description": ("Optional[str]", (0, 6, 0))},
}
_SAME_AS = {"CredentialApplication": "Application"}  # its fields, and the ones above

# Fields Mastodon.py types as never null that Mastodon itself sends as null: the docs say
# so, and so does the server's code.
_NULLABLE = {
    # docs.joinmastodon.org/entities/MediaAttachment: "blurhash: String (Blurhash) or null"
    ("MediaAttachment", "blurhash"),
    # Mastodon's REST::V1::InstanceSerializer and InstanceSerializer: the account named by
    # the site_contact_username setting, null when none is set
    ("Instance", "contact_account"),
    ("InstanceContact", "account"),
}


@functools.cache
def _declared() -> dict[str, dict[str, tuple[str, tuple[int, ...] | None]]]:
    """{entity: {field: (annotation, version added)}} from Mastodon.py's source."""
    tree = ast.parse(Path(mastodon.return_types.__file__).read_text())
    entities: dict[str, dict[str, tuple[str, tuple[int, ...] | None]]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = {}
        for position, statement in enumerate(node.body):
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            annotation = statement.annotation
            kind = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
            following = node.body[position + 1] if position + 1 < len(node.body) else None
            doc = ""
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                doc = following.value.value
            added = re.search(r"\* (\d+)\.(\d+)\.(\d+): added", str(doc))
            fields[statement.target.id] = (str(kind), tuple(int(n) for n in added.groups()) if added else None)
        if fields:
            entities[node.name] = fields
    return entities


def fields_of(entity: str) -> dict[str, tuple[str, tuple[int, ...] | None]]:
    declared = _declared()
    fields = dict(declared.get(_SAME_AS.get(entity, entity), {}))
    fields.update(_EXTRA.get(entity, {}))
    if not fields:
        raise KeyError(f"no documented entity {entity}")
    renames = getattr(getattr(mastodon.return_types, entity, None), "_rename_map", {})
    return {
        renames.get(name, name): (f"Optional[{kind}]" if (entity, name) in _NULLABLE else kind, added)
        for name, (kind, added) in fields.items()
    }


def _split(arguments: str) -> list[str]:
    """`A, B[C, D]` -> ["A", "B[C, D]"]."""
    parts, depth, current = [], 0, ""
    for char in arguments:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    return [*parts, current.strip()] if current.strip() else parts


def _is_datetime(value: Any) -> bool:
    if isinstance(value, str) and value.isdigit():  # a day as a UNIX time (Tag history)
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_SCALARS = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "datetime": _is_datetime,
    "IdType": lambda v: isinstance(v, str) and v.isdigit(),
    "MaybeSnowflakeIdType": lambda v: isinstance(v, str) and v.isdigit(),
    "AttribAccessDict": lambda v: isinstance(v, dict),
    "NonPaginatableList": lambda v: isinstance(v, list),
}


def differences(value: Any, kind: str, where: str = "$") -> list[str]:
    """How `value` departs from the documented type `kind` (empty: it conforms)."""
    generic = re.fullmatch(r"(\w+)\[(.*)\]", kind)
    if generic:
        outer, inner = generic.group(1), generic.group(2)
        if outer == "Optional":
            return [] if value is None else differences(value, inner, where)
        if outer == "Union":
            found = [differences(value, option, where) for option in _split(inner)]
            return [] if any(not f for f in found) else min(found, key=len)
        if outer == "NonPaginatableList":
            if not isinstance(value, list):
                return [f"{where}: a list expected, got {value!r:.80}"]
            return [d for i, item in enumerate(value) for d in differences(item, inner, f"{where}[{i}]")]
        if outer == "AttribAccessDict":
            return [] if isinstance(value, dict) else [f"{where}: an object expected, got {value!r:.80}"]
        raise KeyError(f"{where}: unknown generic {kind}")
    if kind in _SCALARS:
        return [] if _SCALARS[kind](value) else [f"{where}: {kind} expected, got {value!r:.80}"]
    if not isinstance(value, dict):
        return [f"{where}: a {kind} object expected, got {value!r:.80}"]
    found = []
    for name, (field_kind, added) in fields_of(kind).items():
        if name not in value:
            if not field_kind.startswith("Optional[") and (added is None or added <= VERSION):
                found.append(f"{where}.{name}: missing ({kind} has it since {'.'.join(map(str, added or ()))})")
            continue
        found.extend(differences(value[name], field_kind, f"{where}.{name}"))
    return found


def assert_entity(value: Any, kind: str) -> None:
    """`kind` is an entity ("Status") or a list of one ("[Status]", which must not be empty:
    an empty list would check nothing)."""
    if kind.startswith("["):
        assert isinstance(value, list), f"a list of {kind[1:-1]} expected, got {value!r:.200}"
        assert value, f"an empty list of {kind[1:-1]} checks nothing"
        kind = f"NonPaginatableList[{kind[1:-1]}]"
    problems = differences(value, kind)
    assert not problems, "\n".join(problems)


# --- The same entities as OpenAPI component schemas -------------------------------------
# apps/mastodon/api/entities.json is generated from these declarations by
# `python -m tests.mastodon.entities > apps/mastodon/api/entities.json`; a test holds the two
# equal, so the schema the Mastodon origin serves says what the checks above check.

ROOTS = (
    "Account", "Application", "Context", "Conversation", "CredentialAccountSource", "CredentialApplication",
    "Error", "Instance", "InstanceV2", "Marker", "MediaAttachment", "Notification", "Preferences",
    "Relationship", "SearchV2", "Status", "Suggestion", "Tag", "Token",
)  # fmt: skip
_OPENAPI_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string"},
    "IdType": {"type": "string", "pattern": "^[0-9]+$"},
    "MaybeSnowflakeIdType": {"type": "string", "pattern": "^[0-9]+$"},
    "AttribAccessDict": {"type": "object"},
    "NonPaginatableList": {"type": "array"},
}


def _openapi_type(kind: str, wanted: list[str]) -> dict[str, Any]:
    generic = re.fullmatch(r"(\w+)\[(.*)\]", kind)
    if generic:
        outer, inner = generic.group(1), generic.group(2)
        if outer == "Optional":
            schema = _openapi_type(inner, wanted)
            return {"allOf": [schema], "nullable": True} if "$ref" in schema else {**schema, "nullable": True}
        if outer == "Union":
            return {"anyOf": [_openapi_type(option, wanted) for option in _split(inner)]}
        if outer == "NonPaginatableList":
            return {"type": "array", "items": _openapi_type(inner, wanted)}
        if outer == "AttribAccessDict":
            return {"type": "object"}
        raise KeyError(f"unknown generic {kind}")
    if kind in _OPENAPI_SCALARS:
        return dict(_OPENAPI_SCALARS[kind])
    if kind not in wanted:
        wanted.append(kind)
    return {"$ref": f"#/components/schemas/{kind}"}


def openapi_components() -> dict[str, Any]:
    """{entity: JSON schema} for ROOTS and every entity they contain: a field added by
    VERSION is required unless Mastodon documents it as nullable; other fields may be sent."""
    wanted, components = list(ROOTS), {}
    while len(components) < len(wanted):
        name = wanted[len(components)]
        properties, required = {}, []
        for field, (kind, added) in fields_of(name).items():
            properties[field] = _openapi_type(kind, wanted)
            if not kind.startswith("Optional[") and (added is None or added <= VERSION):
                required.append(field)
        components[name] = {"type": "object", "properties": properties, **({"required": required} if required else {})}
    return dict(sorted(components.items()))


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(openapi_components(), indent=1, sort_keys=True) + "\n")
