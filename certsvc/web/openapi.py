"""The OpenAPI 3.1 document, generated from the shapes the views use and a table of routes.

Each web module that serves JSON lists its operations in ``ROUTES`` (path, method, the shape of
the request and of each answer, summary, operationId, whether it needs an API token). The schemas
come from the pydantic models themselves, so the document describes exactly what the views parse
and answer.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from certsvc.web.errors import FieldProblem, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
REF_TEMPLATE = "#/components/schemas/{model}"
SECURITY_SCHEMES: dict[str, Any] = {
    "apiToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An issuing body's API token (cst_…), bound to one authority",
    },
    "employerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An employer's API key (cek_…): its quota of checked lines is counted per key",
    },
}


@dataclasses.dataclass(frozen=True)
class Reply:
    """One answer of an operation: its body's shape (a pydantic model, or any type pydantic can
    describe, e.g. ``str`` for text) or None for no body, and the headers worth documenting."""

    description: str
    shape: Any = None
    media_type: str = "application/json"
    headers: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str
    summary: str
    replies: Mapping[int, Reply]
    description: str | None = None
    body: Mapping[str, Any] | None = None  # media type -> shape
    body_required: bool = True
    path_arguments: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    token: bool = False
    key: bool = False  # an employer's API key


def problems(
    *statuses: int, shape: type[Problem] = Problem, description: str = "Problem"
) -> dict[int, Reply]:
    """Problem-details answers for the given statuses."""
    return {status: Reply(description, shape, PROBLEM_MEDIA_TYPE) for status in statuses}


def field_problem(
    description: str = "Malformed request; ``field`` names the member at fault when one is",
) -> Reply:
    return Reply(description, FieldProblem, PROBLEM_MEDIA_TYPE)


def build_document(base_url: str, version: str = "0.1.0") -> dict[str, Any]:
    from certsvc.web import blueprints

    routes = [
        route
        for blueprint in blueprints()
        for route in getattr(sys.modules[blueprint.import_name], "ROUTES", ())
    ]
    schemas, components = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "certsvc",
            "version": version,
            "description": "Electronic professional-title certificates: verification, ledger and issuing API.",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }


_Key = tuple[int, JsonSchemaMode]


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, but an answer's schema states no defaults: a member left out of an
    answer when it has no value (``left_out_if_none``) has a default of None that its published
    type does not admit, and defaults mean nothing in what the server sends."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if self.mode == "serialization":
            json_schema.pop("default", None)
        return json_schema


def _schemas(routes: Iterable[Route]) -> tuple[dict[_Key, dict[str, Any]], dict[str, Any]]:
    """The JSON Schema of every shape the routes name (by ``id`` of the shape and mode), with the
    models among them as shared components."""
    inputs: dict[_Key, tuple[_Key, JsonSchemaMode, TypeAdapter[Any]]] = {}

    def add(shape: Any, mode: JsonSchemaMode) -> None:
        key = (id(shape), mode)
        if shape is not None and key not in inputs:
            inputs[key] = (key, mode, TypeAdapter(shape))

    for route in routes:
        for shape in (route.body or {}).values():
            add(shape, "validation")
        for reply in route.replies.values():
            add(reply.shape, "serialization")
    by_key, definitions = TypeAdapter.json_schemas(
        inputs.values(), ref_template=REF_TEMPLATE, schema_generator=_Generator
    )
    return {key: schema for (key, _), schema in by_key.items()}, definitions.get("$defs", {})


def _operation(route: Route, schemas: Mapping[_Key, dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": route.summary, "operationId": route.operation_id}
    if route.description:
        operation["description"] = route.description
    if route.token:
        operation["security"] = [{"apiToken": []}]
    if route.key:
        operation["security"] = [{"employerKey": []}]
    parameters = [*_parameters(route.path_arguments, "path"), *_parameters(route.query, "query")]
    if parameters:
        operation["parameters"] = parameters
    if route.body:
        operation["requestBody"] = {
            "required": route.body_required,
            "content": {
                media_type: {"schema": schemas[id(shape), "validation"]}
                for media_type, shape in route.body.items()
            },
        }
    operation["responses"] = {
        str(status): _response(reply, schemas) for status, reply in sorted(route.replies.items())
    }
    return operation


def _parameters(shape: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    """One parameter per member of an arguments model (described inline, not as a component)."""
    if shape is None:
        return []
    schema = shape.model_json_schema(mode="validation", ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    parameters = []
    for name, member in schema.get("properties", {}).items():
        member_schema = {key: value for key, value in member.items() if key not in ("title", "description")}
        parameter: dict[str, Any] = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
        }
        if "description" in member:
            parameter["description"] = member["description"]
        parameter["schema"] = member_schema
        parameters.append(parameter)
    return parameters


def _response(reply: Reply, schemas: Mapping[_Key, dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        response["headers"] = {name: {"schema": TypeAdapter(str).json_schema()} for name in reply.headers}
    if reply.shape is not None:
        response["content"] = {reply.media_type: {"schema": schemas[id(reply.shape), "serialization"]}}
    return response
