"""``assemblyai-gateway models``: the gateway's live model list, as a table or as JSON.

It always asks the gateway (``GET {base_url}/models``, the key sent when
``ASSEMBLYAI_API_KEY`` is set, though the gateway does not require one there) and
refreshes the disk cache requests use. Exit codes: 0 listed, 1 the gateway could not be
reached or answered with an error, 2 bad arguments (a base URL that is not one).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from ..errors import APIError
from ..model_list import ListedModel, ModelList

__all__ = ["add_models_command", "render_model_table", "run_models"]

EXIT_UNREACHABLE = 1
_MAX_CELL = 60
_COLUMNS = ("model", "context", "max output", "regions", "price in / out", "retires")


def add_models_command(commands: Any) -> None:
    """Register ``models`` on the ``assemblyai-gateway`` subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "models",
        help="list the gateway's models: context windows, regions, prices, retirement dates",
        description=(
            "Ask the gateway for its live model list and print each model's context "
            "window, output limit, regions, prices (prompt / completion, as the gateway "
            "lists them) and retirement date. The list is cached for later requests."
        ),
    )
    parser.add_argument("--region", choices=("us", "eu"), help="gateway region (default us)")
    parser.add_argument("--base-url", help="gateway URL (default $ASSEMBLYAI_GATEWAY_BASE_URL)")
    parser.add_argument(
        "--json", action="store_true", help="print the list as JSON instead of a table"
    )
    parser.set_defaults(run=run_models)


def _cell(text: str) -> str:
    """Server text made safe for a terminal: control characters escaped, length capped."""
    shown = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
    return shown if len(shown) <= _MAX_CELL else f"{shown[: _MAX_CELL - 3]}..."


def _number(value: int | None) -> str:
    return f"{value:,}" if value is not None and value > 0 else "-"


def _prices(model: ListedModel) -> str:
    price = model.pricing.global_ if model.pricing is not None else None
    if price is None or price.prompt is None or price.completions is None:
        return "-"
    return f"{price.prompt:g} / {price.completions:g}"


def _retires(model: ListedModel, today: datetime) -> str:
    retires = model.retires_on
    if retires is None:
        return "-"
    return f"{retires.isoformat()} (retired)" if retires <= today.date() else retires.isoformat()


def render_model_table(listing: ModelList, *, now: datetime | None = None) -> str:
    """The list as an aligned text table, one model a row.

    Example:
        >>> listing = ModelList.from_json(
        ...     '{"data": [{"id": "gpt-5", "context_length": 400000,'
        ...     ' "top_provider": {"max_completion_tokens": 128000},'
        ...     ' "available_regions": ["us"],'
        ...     ' "pricing": {"global": {"prompt": 1.25, "completions": 10}}}]}'
        ... )
        >>> print(render_model_table(listing))
        model  context  max output  regions  price in / out  retires
        gpt-5  400,000  128,000     us       1.25 / 10       -
    """
    today = now or datetime.now(UTC)
    rows = [
        (
            _cell(model.id),
            _number(model.context_length),
            _number(model.max_output_tokens),
            _cell(", ".join(model.available_regions)) or "-",
            _prices(model),
            _retires(model, today),
        )
        for model in listing.data
    ]
    table = [_COLUMNS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    lines = (
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in table
    )
    return "\n".join(line.rstrip() for line in lines)


def run_models(args: argparse.Namespace) -> int:
    """Fetch and print the list; the exit code."""
    from .._transport.client import GatewayClient
    from ..cli import _say

    with GatewayClient(base_url=args.base_url, region=args.region) as client:
        try:
            listing = client.fetch_model_list()
        except APIError as exc:
            _say(f"assemblyai-gateway models: {client.base_url}: {exc}", sys.stderr)
            return EXIT_UNREACHABLE
        if args.json:
            _say(json.dumps(listing.model_dump(mode="json", by_alias=True), indent=2), sys.stdout)
            return 0
        count = len(listing.data)
        _say(f"{count} model{'s' * (count != 1)} from {client.base_url}", sys.stdout)
    _say(render_model_table(listing), sys.stdout)
    return 0
