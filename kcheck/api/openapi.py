"""The OpenAPI 3.1 document of the partner and intake APIs, served at /v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint, jsonify
from pydantic import BaseModel

from kcheck import schemas
from kcheck.domain.cases import MAX_VERDICT_WAIT_S, SLOTS, STATUSES

bp = Blueprint("openapi", __name__)

NULLABLE_STR = {"type": ["string", "null"]}
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "code": {"type": "string"},
                   "detail": {"type": "string"}},
}
CASE = {
    "type": "object",
    "required": ["id", "status", "reason", "created_at", "expires_at", "qr_png_url", "qr_svg_url"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"enum": list(STATUSES)},
        "reason": {"type": "string"},
        "subject_ref": {"type": "string"},
        "order_ref": NULLABLE_STR,
        "locale": NULLABLE_STR,
        "verification_url": {"type": "string"},
        "qr_png_url": {"type": "string"},
        "qr_svg_url": {"type": "string"},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "expires_at": {"type": "string"},
        "link_expires_at": NULLABLE_STR,
        "submitted_at": NULLABLE_STR,
        "decided_at": NULLABLE_STR,
        "data_purged_at": NULLABLE_STR,
        "decision": {"oneOf": [{"type": "null"}, {
            "type": "object", "properties": {"outcome": {"type": "string"},
                                             "reason_code": NULLABLE_STR}}]},
    },
}
QUALITY = {"type": "object", "required": ["status"], "properties": {
    "status": {"enum": ["pending", "pass", "retake", "reject"]},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "message": {"type": "string"}}}
PHOTO = {"type": "object", "required": ["slot", "photo_id", "quality"], "properties": {
    "slot": {"enum": list(SLOTS)}, "photo_id": {"type": "string"},
    "attempt": {"type": "integer"}, "flagged": {"type": "boolean"}, "quality": QUALITY}}
SESSION = {"type": "object", "required": ["status", "steps", "next_step"], "properties": {
    "status": {"enum": list(STATUSES)}, "steps": {"type": "object"},
    "required_slots": {"type": "array", "items": {"enum": list(SLOTS)}},
    "photos": {"type": "object", "additionalProperties": PHOTO},
    "next_step": {"type": ["string", "null"]}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problems(*statuses: int) -> dict:
    out = {}
    for status in statuses:
        out[str(status)] = {"description": "Problem",
                            "content": {"application/problem+json": {"schema": _ref("Problem")}}}
    return out


def _body(model: type[BaseModel]) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(model.__name__)}}}


def _op(summary: str, responses: dict, security: str | None, body=None, errors=(),
        params=()) -> dict:
    op = {"summary": summary, "responses": {**responses, **_problems(400, 422, 429, *errors)}}
    if security:
        op["security"] = [{security: []}]
        op["responses"].update(_problems(401))
    if body is not None:
        op["requestBody"] = body
    if params:
        op["parameters"] = list(params)
    return op


CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}
SLOT = {"name": "slot", "in": "path", "required": True, "schema": {"enum": list(SLOTS)}}
VERDICT_WAIT = {
    "name": "wait", "in": "query", "required": False,
    "description": "Seconds to wait for a pending verdict: the answer comes as soon as the "
                   "check is stored, or still pending after this long (sooner when the server "
                   "is busy); then ask again, at most about once a second. 0: answer at once.",
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_VERDICT_WAIT_S, "default": 0}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 200}}
IMAGE = {"required": True, "content": {
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/heic": {"schema": {"type": "string", "format": "binary"}},
    "image/webp": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["photo"], "properties": {
        "photo": {"type": "string", "format": "binary"}}}}}}


def document() -> dict:
    models = [schemas.CaseCreate, schemas.SessionOpen, schemas.PhoneSubmit, schemas.CodeSubmit,
              schemas.LocationSubmit, schemas.DocumentTypeSubmit, schemas.ConsentSubmit]
    components = {m.__name__: m.model_json_schema(ref_template="#/components/schemas/{model}")
                  for m in models}
    components.update(Problem=PROBLEM, Case=CASE, Photo=PHOTO, Session=SESSION)
    key, mobile = "apiKey", "sessionToken"
    return {
        "openapi": "3.1.0",
        "info": {"title": "kcheck API", "version": "1",
                 "description": "Partner API (requesting systems) and intake API (mobile clients)."},
        "components": {
            "schemas": components,
            "securitySchemes": {
                key: {"type": "http", "scheme": "bearer", "description": "API key (kck_...)"},
                mobile: {"type": "http", "scheme": "bearer",
                         "description": "Session token from POST /v1/sessions"},
            },
        },
        "paths": {
            "/v1/cases": {"post": _op("Open a case", {"201": _json(_ref("Case"), "Created")}, key,
                                      _body(schemas.CaseCreate), (403,), (IDEMPOTENCY,))},
            "/v1/cases/{case_id}": {"get": _op("Read a case", {"200": _json(_ref("Case"))}, key,
                                               errors=(403, 404), params=(CASE_ID,))},
            "/v1/cases/{case_id}/qr.png": {"get": _op(
                "QR code of the current link (PNG)",
                {"200": {"description": "PNG", "content": {"image/png": {}}}}, key,
                errors=(403, 404, 409), params=(CASE_ID,))},
            "/v1/cases/{case_id}/qr.svg": {"get": _op(
                "QR code of the current link (SVG)",
                {"200": {"description": "SVG", "content": {"image/svg+xml": {}}}}, key,
                errors=(403, 404, 409), params=(CASE_ID,))},
            "/v1/cases/{case_id}/resend": {"post": _op(
                "New link; the previous one stops working", {"200": _json(_ref("Case"))}, key,
                errors=(403, 404, 409), params=(CASE_ID,))},
            "/v1/cases/{case_id}/cancel": {"post": _op(
                "Cancel the case", {"200": _json(_ref("Case"))}, key, errors=(403, 404, 409),
                params=(CASE_ID,))},
            "/v1/cases/{case_id}/events": {"get": _op(
                "Events of the case (poll instead of webhooks)",
                {"200": _json({"type": "object", "required": ["events"], "properties": {
                    "events": {"type": "array", "items": {"type": "object"}}}})}, key,
                errors=(403, 404), params=(CASE_ID,))},
            "/v1/sessions": {"post": _op(
                "Exchange the link token for a session",
                {"201": _json({"type": "object", "required": ["session_token", "next_step"],
                               "properties": {"session_token": {"type": "string"},
                                              "expires_at": {"type": "string"},
                                              "case": _ref("Session"),
                                              "next_step": {"type": ["string", "null"]}}},
                              "Created")}, None, _body(schemas.SessionOpen), (401,))},
            "/v1/session": {"get": _op("State of the verification", {"200": _json(_ref("Session"))},
                                       mobile)},
            "/v1/session/consent": {"post": _op(
                "Record consent", {"200": _json({"type": "object"})}, mobile,
                _body(schemas.ConsentSubmit), (409,))},
            "/v1/session/phone": {"post": _op(
                "Send an SMS code", {"202": _json({"type": "object", "properties": {
                    "resend_after_s": {"type": "integer"},
                    "expires_in_s": {"type": "integer"}}}, "Accepted")}, mobile,
                _body(schemas.PhoneSubmit), (409, 503))},
            "/v1/session/phone/verify": {"post": _op(
                "Check the SMS code", {"200": _json({"type": "object"})}, mobile,
                _body(schemas.CodeSubmit), (403, 409))},
            "/v1/session/location": {"post": _op(
                "Share the geolocation", {"200": _json({"type": "object", "properties": {
                    "country": NULLABLE_STR}})}, mobile, _body(schemas.LocationSubmit), (409,))},
            "/v1/session/document-type": {"put": _op(
                "Choose ID card or passport", {"200": _json({"type": "object", "properties": {
                    "required_slots": {"type": "array", "items": {"enum": list(SLOTS)}}}})},
                mobile, _body(schemas.DocumentTypeSubmit), (409,))},
            "/v1/session/photos/{slot}": {
                "put": _op("Upload the photo of a slot", {"202": _json(_ref("Photo"), "Accepted")},
                           mobile, IMAGE, (404, 409, 413, 415, 503), (SLOT,)),
                "get": _op("Quality of the slot's photo", {"200": _json(_ref("Photo"))}, mobile,
                           errors=(404, 409), params=(SLOT, VERDICT_WAIT)),
            },
            "/v1/session/photos/{slot}/image": {"get": _op(
                "The person's own current photo of the slot",
                {"200": {"description": "The photo as stored (re-encoded, no metadata)",
                         "content": {"image/jpeg": {"schema": {"type": "string",
                                                               "format": "binary"}}}}},
                mobile, errors=(404, 409), params=(SLOT,))},
            "/v1/session/submit": {"post": _op(
                "Submit for review", {"200": _json({"type": "object", "required": ["status"],
                                                    "properties": {"status": {"const": "submitted"}}})},
                mobile, errors=(409,))},
        },
    }


@bp.get("/v1/openapi.json")
def openapi_json():
    return jsonify(document())
