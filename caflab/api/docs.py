"""The docs page's data: each operation of the OpenAPI description (path, summary, what it
says, its parameters and the fields of its answer), in the order of the description."""

from functools import lru_cache
from typing import Any


def _schema_of(ref: str, components: dict[str, Any]) -> dict[str, Any]:
    return components.get(ref.rsplit("/", 1)[-1], {})


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, str]]:
    if "$ref" in schema:
        schema = _schema_of(schema["$ref"], components)
    fields = []
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type") or ""
        if "$ref" in spec:
            kind = spec["$ref"].rsplit("/", 1)[-1]
        elif "anyOf" in spec:
            kinds = [s.get("type") or s.get("$ref", "").rsplit("/", 1)[-1] for s in spec["anyOf"]]
            kind = " | ".join(k for k in kinds if k)
        elif kind == "array":
            items = spec.get("items", {})
            kind = f"array[{items.get('type') or items.get('$ref', '').rsplit('/', 1)[-1]}]"
        fields.append({"name": name, "type": kind})
    return fields


def endpoints(api: Any) -> list[dict[str, Any]]:
    return _endpoints(id(api), api)


@lru_cache(maxsize=2)
def _endpoints(_key: int, api: Any) -> list[dict[str, Any]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            ok = operation.get("responses", {}).get("200", {})
            body = ok.get("content", {}).get("application/json", {}).get("schema", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [
                        {"name": p["name"], "where": p["in"], "required": p.get("required")}
                        for p in operation.get("parameters", [])
                    ],
                    "fields": _fields(body, components),
                    "anchor": operation.get("operationId", path),
                }
            )
    return found
