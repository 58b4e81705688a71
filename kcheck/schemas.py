"""Request bodies of the JSON API (pydantic), also the source of the OpenAPI schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

from flask import request
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kcheck.domain.cases import REASONS
from kcheck.problems import Problem

M = TypeVar("M", bound=BaseModel)
Reason = Literal[REASONS]  # type: ignore[valid-type]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class CaseCreate(Strict):
    reason: Reason
    subject_ref: Ref
    order_ref: Ref | None = None
    expected_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=200)] | None = None
    locale: Literal["fr", "de", "it", "en"] | None = None
    callback_url: AnyHttpUrl | None = Field(default=None, max_length=2000)
    expires_in_days: int | None = Field(default=None, ge=1, le=30)


class SessionOpen(Strict):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PhoneSubmit(Strict):
    phone_number: Annotated[str, StringConstraints(min_length=3, max_length=32)]


class CodeSubmit(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^\s*\d{6}\s*$")]


class LocationSubmit(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(gt=0, le=100_000)
    captured_at: datetime


class DocumentTypeSubmit(Strict):
    type: Literal["id_card", "passport"]


class ConsentSubmit(Strict):
    terms: Literal[True]
    biometric: bool = False


def parse_body(model: type[M]) -> M:
    """Validate the JSON body; errors name fields and rules, never echo the values sent."""
    data = request.get_json(silent=True)
    if data is None:
        raise Problem("bad_request", detail="Expected a JSON object body.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in err["loc"]) or "(body)", "message": err["msg"]}
                  for err in exc.errors(include_input=False, include_context=False,
                                        include_url=False)]
        raise Problem("validation_failed", errors=errors) from None
