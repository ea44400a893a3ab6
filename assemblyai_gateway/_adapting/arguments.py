"""The one rule for keyword arguments headed for a request; both adapters apply it.

An adapter takes request fields per call (``llm.invoke("hi", seed=1)``,
``llm.chat(messages, seed=1)``), through LangChain's ``bind()``, and as constructor
arguments that are none of its own parameters. Each name given there is one of:

* **a client setting** (``api_key``, ``base_url``, ``region``, ``timeout``,
  ``max_retries``, ... and the adapters' own names for them, such as
  ``assemblyai_api_key``, ``request_timeout`` or ``api_base``): it configures how to
  send, so it is never sent. Per call or among the extra request fields it raises
  :class:`~assemblyai_gateway.errors.MisplacedClientSettingError`, naming the argument
  and where to set it, never its value. In the constructor it is just a setting.
* **a field the model builds** (``messages``, ``prompt``, ``stream``,
  ``stream_options``): refused with
  :class:`~assemblyai_gateway.errors.UnexpectedArgumentError`.
* **a near miss of a known name** (``temprature``): refused with "did you mean
  'temperature'?", so a typo is never sent while the setting it meant is not.
* **a peer's name for a request field** (:data:`PEER_FIELD_NAMES`:
  ``reasoning_effort``, as ``ChatOpenAI`` and LlamaIndex's ``OpenAI`` spell it): sent
  under the gateway's name by :func:`merge_call_fields` (``reasoning_effort="high"`` is
  ``reasoning={"effort": "high"}``), never under its own.
* **anything else**: a request field, sent as given, whether the core knows it
  (:data:`REQUEST_FIELDS`: ``reasoning``, ``zero_data_retention``, ...) or not
  (``seed``, ``top_k``). The gateway is the judge of what it accepts. In the
  constructor, a request field the adapter holds as a setting (``temperature``,
  ``zero_data_retention``, ``max_timeout``, ...) is that setting; any other such name
  moves into the extra request fields (LangChain's ``model_kwargs``, LlamaIndex's
  ``additional_kwargs``) with a ``UserWarning``, as ``ChatOpenAI`` does.

Settings and a call's arguments are merged by :func:`merge_call_fields`: the call wins,
``None`` means "not set", and ``reasoning_effort`` is folded into ``reasoning`` at each
level before they are merged, so a call's ``reasoning_effort`` overrides the model's
``reasoning`` and the reverse.

The client settings are derived from the code that defines them:
:class:`~assemblyai_gateway._adapting.client_owner.ClientSettings` (what the adapters build their
client from) and each adapter class's own fields and aliases for those.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache, cached_property, lru_cache
from types import MappingProxyType
from typing import Any

from .._wire.compat import TYPO_CUTOFF, closest_name, unknown_arguments_error
from .._wire.types import ChatCompletionRequest, reasoning_object
from ..errors import InvalidRequestError, MisplacedClientSettingError, UnexpectedArgumentError
from .client_owner import ClientSettings, merge_overrides

__all__ = [
    "CLIENT_SETTINGS",
    "FRAMEWORK_SETTINGS",
    "OWNED_FIELDS",
    "PEER_FIELD_NAMES",
    "PEER_SETTING_NAMES",
    "REQUEST_FIELDS",
    "ArgumentRule",
    "argument_rule",
    "merge_call_fields",
    "refuse_client_settings",
    "with_reasoning",
]

CLIENT_SETTINGS: frozenset[str] = frozenset(f.name for f in fields(ClientSettings)) | {
    "default_headers"  # a GatewayClient argument the adapters do not take
}
"""The core client's settings: every
:class:`~assemblyai_gateway._adapting.client_owner.ClientSettings` field, and
``default_headers``. They configure how to send, never what is sent."""

FRAMEWORK_SETTINGS: frozenset[str] = frozenset({"rate_limiter"})
"""The frameworks' own field that both adapters hand to the client (as ``limiter``)."""

PEER_SETTING_NAMES: Mapping[str, str] = MappingProxyType({"api_base": "base_url"})
"""Peers' names for a client setting (LlamaIndex's ``OpenAI`` spells the URL ``api_base``)."""

REQUEST_FIELDS: frozenset[str] = frozenset(ChatCompletionRequest.model_fields)
"""The gateway's request fields the core knows; any other name passes through too."""

OWNED_FIELDS: frozenset[str] = frozenset({"messages", "prompt", "stream", "stream_options"})
"""Request fields the adapters build themselves, never taken from the caller."""

PEER_FIELD_NAMES: Mapping[str, str] = MappingProxyType({"reasoning_effort": "reasoning"})
"""Peers' names for a request field, sent under the gateway's name (see
:func:`with_reasoning`)."""

_PLAIN_FIELDS = (REQUEST_FIELDS - OWNED_FIELDS) | frozenset(PEER_FIELD_NAMES)

# The request field a caller giving a client setting per call may have meant.
_REQUEST_FIELD_MEANT = {
    "timeout": "max_timeout",
    "request_timeout": "max_timeout",
    "region": "model_region",
}


@dataclass(frozen=True)
class ArgumentRule:
    """How one adapter class takes keyword arguments; built by :func:`argument_rule`.

    Attributes:
        owner: The class name, used in messages.
        parameters: Every name the constructor takes (fields, aliases, tolerated names).
        settings: Every name a client setting goes by, mapped to the constructor
            parameter that sets it (``""`` when only ``GatewayClient`` takes it).
        extras: The parameter holding extra request fields (``model_kwargs``, ...).

    Examples:
        >>> rule = ArgumentRule("LLM", frozenset({"model", "api_key"}), {"api_key": "api_key"})
        >>> rule.check_call(["temperature", "seed", "reasoning"])
        >>> rule.check_call(["api_key"])
        Traceback (most recent call last):
        ...
        assemblyai_gateway.errors.MisplacedClientSettingError: LLM got a client setting \
per call: 'api_key' (set it where the model is built: LLM(api_key=...)). Client \
settings configure how requests are sent and are never sent in one.
        >>> rule.check_call(["temprature"])
        Traceback (most recent call last):
        ...
        assemblyai_gateway.errors.UnexpectedArgumentError: LLM (per call) got unexpected \
argument(s): 'temprature' (did you mean 'temperature'?)
    """

    owner: str
    parameters: frozenset[str]
    settings: Mapping[str, str]
    extras: str = "model_kwargs"

    def check_call(self, names: Collection[str], *, known: Collection[str] = ()) -> None:
        """Refuse the names a call must not send; every other name is a request field.

        Args:
            names: This call's keyword arguments headed for the request body.
            known: Other names valid per call (the model's extra request fields, the
                adapter's own per-call options); never taken for typos.

        Raises:
            MisplacedClientSettingError: a client setting, named with where to set it.
            UnexpectedArgumentError: a field the model builds, or a near miss of a
                known name.
        """
        if _PLAIN_FIELDS.issuperset(names):
            return  # the common case: tools, temperature, ... and nothing else
        self.refuse_settings(names)
        self._refuse_owned(names, "per call")
        self._refuse_typos(names, f"{self.owner} (per call)", self._call_names, known)

    def constructor_values(self, values: Mapping[str, Any], *, stacklevel: int) -> dict[str, Any]:
        """The constructor's ``values``, unknown names moved into :attr:`extras`.

        Each moved name is warned about (``UserWarning``). ``values`` is not changed.

        Args:
            values: The keyword arguments given to the constructor.
            stacklevel: Passed to :func:`warnings.warn`, so the warning points at the
                caller's line.

        Raises:
            MisplacedClientSettingError: the extra request fields hold a client setting.
            UnexpectedArgumentError: a field the model builds (as an argument or among
                the extras), or a near miss of a known name.
        """
        result = dict(values)
        given = result.get(self.extras)
        extra = dict(given) if isinstance(given, Mapping) else None
        if extra:
            self.refuse_settings(extra, where=f"in {self.extras}")
            self._refuse_owned(extra, f"in {self.extras}")
        unknown = [name for name in result if name not in self.parameters]
        if not unknown:
            return result
        self.refuse_settings(unknown, where="under a name it does not take")
        self._refuse_owned(unknown, "as an argument")
        self._refuse_typos(unknown, self.owner, self._constructor_names)
        if extra is None and given is not None:
            return result  # an invalid extras value: the model's own validation names it
        moved = dict(extra or {})
        for name in unknown:
            warnings.warn(
                f"{name!r} is not a parameter of {self.owner}; it was moved to "
                f"{self.extras} and will be sent as a request field",
                UserWarning,
                stacklevel=stacklevel + 1,
            )
            moved[name] = result.pop(name)
        result[self.extras] = moved
        return result

    def refuse_settings(self, names: Iterable[str], *, where: str = "per call") -> None:
        """Refuse client settings among ``names`` (the first part of :meth:`check_call`).

        Raises:
            MisplacedClientSettingError: naming each, and where to set it.
        """
        misplaced = sorted(name for name in names if name in self.settings)
        if not misplaced:
            return
        described = []
        for name in misplaced:
            parameter = self.settings[name]
            if parameter:
                where_to = f"set it where the model is built: {self.owner}({parameter}=...)"
            else:
                where_to = f"only the core client takes it: GatewayClient({name}=...)"
            meant = _REQUEST_FIELD_MEANT.get(name)
            also = f"; the gateway's own request field is {meant!r}" if meant else ""
            described.append(f"{name!r} ({where_to}{also})")
        raise MisplacedClientSettingError(
            f"{self.owner} got a client setting {where}: {', '.join(described)}. Client "
            "settings configure how requests are sent and are never sent in one."
        )

    def _refuse_owned(self, names: Iterable[str], where: str) -> None:
        owned = sorted(name for name in names if name in OWNED_FIELDS)
        if owned:
            raise UnexpectedArgumentError(
                f"{self.owner} got {', '.join(map(repr, owned))} {where}: the model builds "
                "these itself, from the messages and its settings"
            )

    @cached_property
    def _call_names(self) -> frozenset[str]:
        """The names a call's argument may be a near miss of."""
        return REQUEST_FIELDS | frozenset(PEER_FIELD_NAMES) | frozenset(self.settings)

    @cached_property
    def _constructor_names(self) -> frozenset[str]:
        """The names a constructor argument may be a near miss of."""
        return self._call_names | self.parameters

    def _refuse_typos(
        self,
        names: Iterable[str],
        owner: str,
        candidates: frozenset[str],
        known: Collection[str] = (),
    ) -> None:
        extra = frozenset(known)
        typos = [
            name
            for name in names
            if name not in candidates
            and name not in extra
            and (_near_miss(name, candidates) or (extra and _near_miss(name, extra)))
        ]
        if typos:
            raise unknown_arguments_error(owner, typos, candidates | extra)


@lru_cache(maxsize=1024)
def _near_miss(name: str, candidates: frozenset[str]) -> bool:
    # Cached: a call repeats its names (seed=...), and difflib is slow.
    return closest_name(name, candidates, TYPO_CUTOFF) is not None


def argument_rule(model: type, *, extras: str, ignored: Collection[str] = ()) -> ArgumentRule:
    """The :class:`ArgumentRule` of an adapter class (a pydantic model), built once.

    Args:
        model: The adapter class; its fields and their aliases are its parameters,
            and those that are client settings (or its ``_ASYNC_CLIENT_FIELD``, the
            async ``httpx`` client) are its settings, as are the
            :data:`PEER_SETTING_NAMES`.
        extras: The parameter holding extra request fields.
        ignored: Other names the constructor tolerates (LlamaIndex's ``class_name``).

    Examples:
        >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
        >>> rule = argument_rule(ChatAssemblyAIGateway, extras="model_kwargs")
        >>> rule.settings["assemblyai_api_key"], rule.settings["request_timeout"]
        ('api_key', 'timeout')
    """
    return _build_rule(model, extras, frozenset(ignored))


@cache
def _build_rule(model: type, extras: str, ignored: frozenset[str]) -> ArgumentRule:
    parameters = _parameter_names(model)
    async_client = getattr(model, "_ASYNC_CLIENT_FIELD", "http_async_client")
    is_setting = CLIENT_SETTINGS | FRAMEWORK_SETTINGS | {async_client}
    settings = {name: field for name, field in parameters.items() if field in is_setting}
    for name in CLIENT_SETTINGS | FRAMEWORK_SETTINGS:
        field = async_client if name == "http_async_client" else name
        settings.setdefault(name, field if field in parameters else "")
    for peer, ours in PEER_SETTING_NAMES.items():
        settings.setdefault(peer, settings[ours])
    return ArgumentRule(model.__name__, frozenset(parameters) | ignored, settings, extras)


def _parameter_names(model: type) -> dict[str, str]:
    """Every name a pydantic model class's constructor takes, mapped to its field."""
    names: dict[str, str] = {}
    for name, info in getattr(model, "model_fields", {}).items():
        names[name] = name
        for alias in (info.alias, info.validation_alias):
            choices = alias.choices if hasattr(alias, "choices") else [alias]
            names.update((choice, name) for choice in choices if isinstance(choice, str))
    return names


def refuse_client_settings(request: ChatCompletionRequest) -> None:
    """The core's last line: no client setting travels as a request field.

    Checked for the request's own extra fields and each fallback's overrides, so a
    request built by hand (``GatewayClient.create({..., "api_key": ...})``) cannot
    carry one either.

    Raises:
        MisplacedClientSettingError: naming the field, never its value.
    """
    _refuse_extra_settings("", request.model_extra)
    for index, fallback in enumerate(request.fallbacks or ()):
        _refuse_extra_settings(f"fallbacks[{index}].", fallback.model_extra)


def _refuse_extra_settings(prefix: str, extra: Mapping[str, Any] | None) -> None:
    if extra and not CLIENT_SETTINGS.isdisjoint(extra):
        names = sorted(CLIENT_SETTINGS & extra.keys())
        raise MisplacedClientSettingError(
            f"invalid gateway request: {', '.join(repr(prefix + n) for n in names)}: a "
            "client setting, never a request field; give it to the client "
            "(GatewayClient(...)) or the model instead"
        )


_EFFORT = "reasoning_effort"


def with_reasoning(fields: Mapping[str, Any], *, where: str = "per call") -> dict[str, Any]:
    """``fields`` with ``reasoning_effort`` folded into ``reasoning`` (one level of settings).

    ``reasoning`` may be an effort level or the gateway's object; ``reasoning_effort``
    is ``ChatOpenAI``'s name for the level. Given alone, the effort becomes
    ``{"effort": level}``; given with a ``reasoning`` object that names no effort, it is
    added to it; ``None`` means "not set" (and, alone, unsets a lower level's
    ``reasoning`` when merged). ``fields`` is not changed.

    Args:
        fields: One level's request fields (the model's settings, or one call's).
        where: Where they were given, for the error message.

    Raises:
        InvalidRequestError: ``reasoning_effort`` is not a non-empty string, or
            ``reasoning`` names another effort.

    Examples:
        >>> with_reasoning({"reasoning_effort": "high", "seed": 1})
        {'seed': 1, 'reasoning': {'effort': 'high'}}
        >>> with_reasoning({"reasoning": {"summary": "auto"}, "reasoning_effort": "low"})
        {'reasoning': {'summary': 'auto', 'effort': 'low'}}
        >>> with_reasoning({"reasoning": "high", "reasoning_effort": "low"})
        Traceback (most recent call last):
        ...
        assemblyai_gateway.errors.InvalidRequestError: 'reasoning' asks for effort 'high' \
but 'reasoning_effort' for 'low' (per call); give one of them
    """
    result = dict(fields)
    if "reasoning" in result:
        result["reasoning"] = reasoning_object(result["reasoning"])
    if _EFFORT not in result:
        return result
    effort = result.pop(_EFFORT)
    reasoning = result.get("reasoning")
    if effort is None:
        result.setdefault("reasoning", None)  # None alone unsets a lower level's reasoning
        return result
    if not isinstance(effort, str) or not effort.strip():
        raise InvalidRequestError(
            f"'reasoning_effort' must be an effort level such as 'low', 'medium' or 'high', "
            f"got {type(effort).__name__} ({where})"
        )
    if reasoning is None:
        result["reasoning"] = {"effort": effort}
    elif isinstance(reasoning, dict):
        named = reasoning.get("effort")
        if named is not None and named != effort:
            raise InvalidRequestError(
                f"'reasoning' asks for effort {named!r} but 'reasoning_effort' for "
                f"{effort!r} ({where}); give one of them"
            )
        result["reasoning"] = {**reasoning, "effort": effort}
    return result  # another type of reasoning: validation names it


def merge_call_fields(
    settings: Mapping[str, Any], call_fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The request fields of one call: the model's ``settings``, then the call's, merged.

    ``None`` means "not set" (a call's ``None`` removes a setting); ``reasoning_effort``
    is folded into ``reasoning`` at each level first (:func:`with_reasoning`), and in
    every fallback given as an object. Neither mapping is changed.

    Raises:
        InvalidRequestError: ``reasoning`` and ``reasoning_effort`` disagree at one level.

    Example:
        >>> merge_call_fields({"model": "gpt-5", "reasoning_effort": "low"}, {"reasoning": "high"})
        {'model': 'gpt-5', 'reasoning': {'effort': 'high'}}
    """
    merged = merge_overrides(
        with_reasoning(settings, where="in the model's settings"), with_reasoning(call_fields)
    )
    fallbacks = merged.get("fallbacks")
    if isinstance(fallbacks, list) and any(
        isinstance(f, Mapping) and (_EFFORT in f or "reasoning" in f) for f in fallbacks
    ):
        merged["fallbacks"] = [
            merge_overrides(with_reasoning(f, where=f"in fallbacks[{i}]"))
            if isinstance(f, Mapping)
            else f
            for i, f in enumerate(fallbacks)
        ]
    return merged
