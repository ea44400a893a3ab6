"""Speech understanding (``POST /v1/understanding``): the request and the answer, typed.

The gateway runs speaker identification, translation and custom formatting over a
transcript. The request's features are typed as its OpenAPI describes them, and any
other feature or option passes through untouched (the gateway is the judge). The
answer is read as the vendor's SDK reads it, and the results are found where either
shape puts them: under ``speech_understanding.response.<feature>`` (the OpenAPI's) or
``speech_understanding.<feature>`` (the SDK's examples and the emulator's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._transport.untrusted_text import loads_untrusted, truncate_text
from .errors import InvalidRequestError, ResponseValidationError, status_error_from_response

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CustomFormatting",
    "SpeakerIdentification",
    "Translation",
    "UnderstandingRequest",
    "UnderstandingResponse",
    "parse_understanding",
    "understanding_body",
    "understanding_request",
]

_MAX_KNOWN_VALUE = 35


class _Open(BaseModel):
    """A part of the request: typed fields, and any other passed through."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class SpeakerIdentification(_Open):
    """Name the speakers, or their roles, instead of ``A``, ``B``...

    Attributes:
        speaker_type: ``"name"`` or ``"role"``.
        known_values: The names or roles to choose from (each 35 characters at most);
            needed for ``"role"`` unless ``speakers`` describes them.
        speakers: Speaker objects (``name`` or ``role``, ``description``, any other
            property such as ``company``) to help the identification.

    Examples:
        >>> SpeakerIdentification(speaker_type="role", known_values=["host", "guest"]).speaker_type
        'role'
    """

    speaker_type: Literal["name", "role"]
    known_values: list[str] | None = None
    speakers: list[dict[str, Any]] | None = None

    @field_validator("known_values")
    @classmethod
    def _short_values(cls, values: list[str] | None) -> list[str] | None:
        for value in values or ():
            if len(value) > _MAX_KNOWN_VALUE:
                raise ValueError(f"{value!r} is longer than {_MAX_KNOWN_VALUE} characters")
        return values

    @model_validator(mode="after")
    def _roles_are_named(self) -> SpeakerIdentification:
        if self.speaker_type == "role" and not (self.known_values or self.speakers):
            raise ValueError("speaker_type 'role' needs known_values (or speakers)")
        return self


class Translation(_Open):
    """Translate the transcript (and, with speaker labels, each utterance).

    Attributes:
        target_languages: Language codes, e.g. ``["es", "de"]``.
        formal: Formal language (the gateway's default is true).
        match_original_utterance: Also translate each utterance (``translated_texts``
            on every utterance of the answer).

    Examples:
        >>> Translation(target_languages=["es", "de"], formal=False).model_dump(exclude_none=True)
        {'target_languages': ['es', 'de'], 'formal': False}
    """

    target_languages: list[str] = Field(min_length=1)
    formal: bool | None = None
    match_original_utterance: bool | None = None


class CustomFormatting(_Open):
    """Rewrite dates, phone numbers and emails to a pattern.

    Attributes:
        date: E.g. ``"mm/dd/yyyy"``.
        phone_number: E.g. ``"(xxx)xxx-xxxx"``.
        email: E.g. ``"username@domain.com"``.

    Examples:
        >>> CustomFormatting(date="mm/dd/yyyy").model_dump(exclude_none=True)
        {'date': 'mm/dd/yyyy'}
    """

    date: str | None = None
    phone_number: str | None = None
    email: str | None = None


class UnderstandingRequest(_Open):
    """What to run over a transcript: one or more features.

    Other features the gateway adds later pass through as given
    (``UnderstandingRequest(summarization={...})``).

    Examples:
        >>> request = UnderstandingRequest(translation={"target_languages": ["es"]})
        >>> request.features()
        {'translation': {'target_languages': ['es']}}
    """

    speaker_identification: SpeakerIdentification | None = None
    translation: Translation | None = None
    custom_formatting: CustomFormatting | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> UnderstandingRequest:
        if not self.features():
            raise ValueError(
                "give at least one feature: speaker_identification, translation or "
                "custom_formatting"
            )
        return self

    def features(self) -> dict[str, Any]:
        """The ``speech_understanding.request`` object (unset options left out)."""
        return self.model_dump(exclude_none=True, by_alias=True)


def understanding_request(
    request: UnderstandingRequest | Mapping[str, Any],
) -> UnderstandingRequest:
    """``request`` checked: an :class:`UnderstandingRequest`, or a mapping of one.

    Raises:
        InvalidRequestError: a feature's options are wrong, named by field.
    """
    if isinstance(request, UnderstandingRequest):
        return request
    if not isinstance(request, Mapping):
        raise InvalidRequestError(
            "a speech understanding request is an UnderstandingRequest or a dict of its "
            f"features, got {type(request).__name__}"
        )
    try:
        return UnderstandingRequest.model_validate(dict(request))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'request'}: {error['msg']}"
            for error in exc.errors()
        )
        raise InvalidRequestError(f"invalid speech understanding request: {problems}") from None


def understanding_body(
    request: UnderstandingRequest | Mapping[str, Any], transcript_id: str | None
) -> dict[str, Any]:
    """The JSON body: ``{"transcript_id", "speech_understanding": {"request": {...}}}``.

    Raises:
        InvalidRequestError: a bad request or transcript id.
    """
    features = understanding_request(request).features()
    body: dict[str, Any] = {"speech_understanding": {"request": features}}
    if transcript_id is not None:
        if not isinstance(transcript_id, str) or not transcript_id.strip():
            raise InvalidRequestError(
                f"transcript_id must be a non-empty string, got {transcript_id!r}"
            )
        body = {"transcript_id": transcript_id.strip(), **body}
    return body


class UnderstandingResponse(BaseModel):
    """The answer of ``POST /v1/understanding``.

    Attributes:
        request_id: The gateway's id for the call.
        speech_understanding: The request echoed and each feature's result.
        utterances: The transcript's utterances with the results applied (speakers
            named, ``translated_texts``...), when it has speaker labels.
        translated_texts: The whole text per target language.

    Examples:
        >>> answer = UnderstandingResponse.model_validate({
        ...     "request_id": "r1",
        ...     "speech_understanding": {"response": {
        ...         "speaker_identification": {"status": "success", "mapping": {"A": "Ana"}}
        ...     }},
        ... })
        >>> answer.speaker_mapping, answer.status("speaker_identification")
        ({'A': 'Ana'}, 'success')
    """

    model_config = ConfigDict(extra="allow")

    request_id: str | None = None
    speech_understanding: dict[str, Any] = Field(default_factory=dict)
    utterances: list[dict[str, Any]] | None = None
    translated_texts: dict[str, str] | None = None

    @field_validator("speech_understanding", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value  # a Go server sends null for empty

    def result(self, feature: str) -> dict[str, Any] | None:
        """``feature``'s result object, wherever the answer puts it."""
        response = self.speech_understanding.get("response")
        for where in (response, self.speech_understanding):
            found = where.get(feature) if isinstance(where, dict) else None
            if isinstance(found, dict):
                return found
        return None

    def status(self, feature: str) -> str | None:
        """``feature``'s status (``"success"``...), when the answer gives one."""
        status = (self.result(feature) or {}).get("status")
        return status if isinstance(status, str) else None

    @property
    def speaker_mapping(self) -> dict[str, str]:
        """Speaker identification: each label (``"A"``) to the name or role found."""
        mapping = (self.result("speaker_identification") or {}).get("mapping")
        if not isinstance(mapping, dict):
            return {}
        return {str(label): str(name) for label, name in mapping.items() if name is not None}

    @property
    def formatted_text(self) -> str | None:
        """Custom formatting: the whole text, formatted."""
        text = (self.result("custom_formatting") or {}).get("formatted_text")
        return text if isinstance(text, str) else None

    @property
    def formatted_utterances(self) -> list[dict[str, Any]] | None:
        """Custom formatting: the utterances, formatted (when the transcript has them)."""
        found = (self.result("custom_formatting") or {}).get("formatted_utterances")
        return [u for u in found if isinstance(u, dict)] if isinstance(found, list) else None


def parse_understanding(response: httpx.Response, content: bytes) -> UnderstandingResponse:
    """The typed answer of a response whose (capped) body is ``content``.

    Raises:
        APIStatusError: a non-2xx status (the gateway's error, typed by status).
        ResponseValidationError: a 2xx body that is not an understanding answer.
    """
    if not response.is_success:
        raise status_error_from_response(response, content)
    try:
        payload = loads_untrusted(content)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        return UnderstandingResponse.model_validate(payload)
    except (ValueError, ValidationError) as exc:
        raise ResponseValidationError(
            f"the gateway answered 2xx with a body that is not a speech understanding "
            f"answer ({truncate_text(str(exc), 200)})",
            body=truncate_text(content.decode("utf-8", "replace"), 500),
        ) from None


def parse_validation(response: httpx.Response, content: bytes) -> None:
    """Nothing for a 2xx (the request is valid); the typed error otherwise.

    Raises:
        APIStatusError: the gateway refused the request; ``errors`` lists the fields.
    """
    if not response.is_success:
        raise status_error_from_response(response, content)
