"""The pages' lists of errors, command-line options and settings are generated from the code.

The hook (``docs/hooks/code_tables.py``, with a module per concern beside it) reads them
by introspection; these tests check its output against the code by other routes: every
module imported, every ``--help`` printed, every model built.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import pkgutil
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

import assemblyai_gateway
from assemblyai_gateway import GatewayClient, GatewayError
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.docs import DOCS_DIR, REPO_ROOT, doc_pages, load_hook

HOOK = load_hook("code_tables.py")
ERRORS = load_hook("_tables_errors.py")
CLI = load_hook("_tables_cli.py")
SETTINGS = load_hook("_tables_settings.py")
OUR_PACKAGES = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
)
MODELS: tuple[Any, ...] = (ChatAssemblyAIGateway, AssemblyAIGateway)
SETTING_CLASSES = {
    "assemblyai_gateway.GatewayClient": GatewayClient,
    "langchain_assemblyai_gateway.ChatAssemblyAIGateway": ChatAssemblyAIGateway,
    "llama_index_assemblyai_gateway.AssemblyAIGateway": AssemblyAIGateway,
}


def _all_modules() -> Iterator[str]:
    for name in OUR_PACKAGES:
        package = importlib.import_module(name)
        yield name
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            yield info.name


def _defined_gateway_errors() -> set[type]:
    """Every GatewayError subclass any module of ours defines (private ones left out)."""
    found: set[type] = set()
    for name in _all_modules():
        for value in vars(importlib.import_module(name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, GatewayError)
                and value.__module__.startswith(OUR_PACKAGES)
                and not value.__name__.startswith("_")
            ):
                found.add(value)
    return found


def _exported_errors() -> set[type]:
    exported: set[type] = set()
    for package in ERRORS.PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if ERRORS.is_error(value):
                exported.add(value)
    return exported


def _tree(rendered: str) -> list[tuple[int, str]]:
    """``(depth, class name)`` for each line of the rendered text tree."""
    block = rendered.split("```text\n", 1)[1].split("\n```", 1)[0]
    rows = []
    for line in block.splitlines():
        match = re.match(r"^((?:│   |    )*)(?:├── |└── )?(\w+)", line)
        assert match, line
        depth = len(match.group(1)) // 4 + (1 if "── " in line else 0)
        rows.append((depth, match.group(2)))
    return rows


# ----------------------------------------------------------------------- errors


def test_every_gateway_error_a_module_defines_is_exported_and_in_the_tree() -> None:
    rendered = ERRORS.render_error_tree()
    names = {name for _, name in _tree(rendered)}
    defined = _defined_gateway_errors()
    assert defined <= _exported_errors(), "a public error class is not exported"
    for cls in defined | _exported_errors():
        assert cls.__name__ in names
        assert f"| `{cls.__name__}`" in rendered  # and in the table


def test_the_errors_hand_kept_trees_lacked_are_listed() -> None:
    names = {name for _, name in _tree(ERRORS.render_error_tree())}
    assert {"InvalidAPIKeyError", "ToolChoiceError", "ResponseTooLargeError"} <= names
    # Added by later work, listed without a page edit.
    assert {
        "UnexpectedArgumentError",
        "MisplacedClientSettingError",
        "ContextWindowExceededError",
        "BulkOutputError",
        "BulkOutputLockedError",
    } <= names


def test_each_error_sits_under_its_nearest_public_base() -> None:
    rows = _tree(ERRORS.render_error_tree())
    exported = {cls.__name__: cls for cls in _exported_errors()}
    for index, (depth, name) in enumerate(rows):
        parents = [n for d, n in rows[:index] if d == depth - 1]
        if depth == 0:
            assert exported[name] is GatewayError
            continue
        expected = next(c for c in exported[name].__mro__[1:] if c in exported.values())
        assert parents[-1] == expected.__name__, name


def test_status_errors_show_their_status_and_other_bases() -> None:
    tree = ERRORS.render_error_tree().split("```", 2)[1]
    assert re.search(r"RateLimitError +429", tree)
    assert re.search(r"ConfigurationError \(also ValueError\)", tree)


# -------------------------------------------------------------------------- CLI


def _scripts() -> dict[str, str]:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        scripts: dict[str, str] = tomllib.load(file)["project"]["scripts"]
    return scripts


def _help_options(script: str, command: list[str]) -> set[str]:
    """The ``--options`` that ``SCRIPT COMMAND... --help`` prints."""
    module, _, function = _scripts()[script].partition(":")
    main = getattr(importlib.import_module(module), function)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*command, "--help"])
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", out.getvalue())) - {"--help"}


@pytest.mark.parametrize("script", sorted(_scripts()))
def test_every_option_of_every_console_script_is_in_its_table(script: str) -> None:
    rendered = CLI.render_cli(script)
    for command_line, _ in CLI.cli_parsers(script):
        command = command_line.split()[1:]
        for option in _help_options(script, command):
            assert re.search(rf"\| `{option}[ `,]", rendered), f"{command_line} {option}"


def test_the_emulator_table_has_the_rate_limit_options() -> None:
    rendered = CLI.render_cli("assemblyai-gateway-emulator")
    assert "| `--rate-limit-rps N` | none |" in rendered
    assert "| `--rate-limit-tpm N` | none |" in rendered
    assert "| `--port PORT` | `8787` |" in rendered
    assert "| `--script FILE` | none |" in rendered


def test_the_exit_codes_are_the_command_lines_table() -> None:
    from assemblyai_gateway.cli import EXIT_CODES

    rendered = CLI.render_exit_codes("assemblyai-gateway")
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in rendered
    with pytest.raises(ValueError, match="no EXIT_CODES table"):
        CLI.render_exit_codes("assemblyai-gateway-emulator")


def test_subcommands_are_found_and_exclusive_options_named() -> None:
    commands = [command for command, _ in CLI.cli_parsers("assemblyai-gateway")]
    assert commands[0] == "assemblyai-gateway"
    assert {"assemblyai-gateway bulk", "assemblyai-gateway models"} <= set(commands[1:])
    rendered = CLI.render_cli("assemblyai-gateway")
    assert "| `--input INPUT` | required |" in rendered
    assert "Exactly one of `--prompt-file` or `--prompt`." in rendered


# --------------------------------------------------------------------- settings


def _own_fields(model: Any) -> set[str]:
    framework = next(k for k in model.__mro__ if not k.__module__.startswith(OUR_PACKAGES))
    return set(model.model_fields) - set(getattr(framework, "model_fields", {}))


def _rows(rendered: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in rendered.splitlines():
        match = re.match(r"^\| `(\w+)`[^|]*\| (.*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2).split(" | ")
    return rows


@pytest.mark.parametrize("dotted", sorted(SETTING_CLASSES))
def test_every_setting_is_listed_with_a_meaning(dotted: str) -> None:
    cls = SETTING_CLASSES[dotted]
    if hasattr(cls, "model_fields"):
        expected = _own_fields(cls)
    else:
        expected = set(inspect.signature(cls).parameters)
    rows = _rows(SETTINGS.render_settings(dotted))
    assert expected <= set(rows)
    for name in expected:
        assert rows[name][-1].strip(), f"{dotted}.{name} has no description"


@pytest.mark.usefixtures("no_api_key_env")
@pytest.mark.parametrize("dotted", [d for d, c in SETTING_CLASSES.items() if c in MODELS])
def test_defaults_are_what_a_model_built_without_arguments_holds(dotted: str) -> None:
    built = SETTING_CLASSES[dotted]()
    for name, (default, _) in _rows(SETTINGS.render_settings(dotted)).items():
        assert default == f"`{getattr(built, name)!r}`", name


@pytest.mark.usefixtures("no_api_key_env")
def test_the_client_defaults_are_its_signature_defaults() -> None:
    rows = _rows(SETTINGS.render_settings("assemblyai_gateway.GatewayClient"))
    for name, parameter in inspect.signature(GatewayClient).parameters.items():
        assert rows[name][0] == f"`{parameter.default!r}`", name


def test_the_three_classes_agree_on_the_region_default() -> None:
    rows = _rows(SETTINGS.render_settings_compared(list(SETTING_CLASSES)))
    assert rows["region"][:3] == ["`None`", "`None`", "`None`"]
    assert rows["default_headers"][1:3] == ["—", "—"]  # the core's alone
    # A setting added later is in every column, described, without a page edit.
    stream_cap = rows["max_stream_bytes"]
    assert "—" not in stream_cap[:3]
    assert len(set(stream_cap[:3])) == 1
    assert stream_cap[3].strip()


def test_the_regions_table_lists_every_endpoint() -> None:
    rendered = SETTINGS.render_regions()
    for region, url in assemblyai_gateway.REGION_BASE_URLS.items():
        assert f"| `{region!r}` | `{url}` |" in rendered


# ------------------------------------------------------------------------ pages

GENERATED = {
    "errors-and-retries.md": (
        "<!-- code: errors -->",
        "<!-- code: context-overflow-phrases -->",
        "<!-- code: langchain-errors -->",
    ),
    "emulator.md": ("<!-- code: cli assemblyai-gateway-emulator -->",),
    "bulk-jobs.md": (
        "<!-- code: cli assemblyai-gateway -->",
        "<!-- code: exit-codes assemblyai-gateway -->",
    ),
    "langchain.md": ("<!-- code: settings langchain_assemblyai_gateway.ChatAssemblyAIGateway -->",),
    "llamaindex.md": ("<!-- code: settings llama_index_assemblyai_gateway.AssemblyAIGateway -->",),
    "configuration.md": ("<!-- code: settings-compared ", "<!-- code: regions -->"),
}


@pytest.mark.parametrize("page", sorted(GENERATED))
def test_the_pages_hold_markers_not_copies(page: str) -> None:
    text = (DOCS_DIR / page).read_text(encoding="utf-8")
    for marker in GENERATED[page]:
        assert marker in text
    assert "├──" not in text
    assert not re.search(r"^\| `--[a-z]", text, re.MULTILINE)  # no hand-kept option rows
    assert not re.search(r"^\| `max_retries`", text, re.MULTILINE)  # nor setting rows


@pytest.mark.parametrize("page", doc_pages(), ids=lambda page: page.name)
def test_every_marker_of_every_page_is_filled(page: Any) -> None:
    built = HOOK.on_page_markdown(page.read_text(encoding="utf-8"), page=None)
    assert "<!-- code:" not in built


@pytest.mark.parametrize(
    "marker",
    [
        "<!-- code: nothing-like-this -->",
        "<!-- code: errors extra -->",
        "<!-- code: cli -->",
        "<!-- code: settings-compared -->",
    ],
)
def test_an_unknown_marker_fails_the_build(marker: str) -> None:
    with pytest.raises(ValueError, match="unknown generated-table marker"):
        HOOK.on_page_markdown(marker)
