"""The ``gateway_emulator`` pytest fixture, used directly and from a separate pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from assemblyai_gateway.emulator import Fault, GatewayEmulator

USER_TESTS = textwrap.dedent(
    """
    import os

    import httpx

    from assemblyai_gateway.emulator import Fault


    def ask(prompt):
        return httpx.post(
            os.environ["ASSEMBLYAI_GATEWAY_BASE_URL"] + "/chat/completions",
            headers={"Authorization": os.environ["ASSEMBLYAI_API_KEY"]},
            json={"model": "gpt-4.1", "prompt": prompt, "transcript_id": "tr_x"},
            timeout=5,
        )


    def test_first_changes_everything(gateway_emulator):
        gateway_emulator.transcripts["tr_x"] = "secret plans"
        gateway_emulator.failing_models.add("gpt-5")
        gateway_emulator.inject(Fault.status(503, "left behind"), times=5)
        assert ask("{{ transcript }}").status_code == 503


    def test_second_starts_clean(gateway_emulator):
        assert gateway_emulator.requests == []
        assert gateway_emulator.pending_faults == 0
        assert gateway_emulator.failing_models == set()
        response = ask("{{ transcript }}")
        assert response.status_code == 400  # tr_x is gone with the first test's settings
        assert gateway_emulator.requests[0].status == 400


    def test_one_server_per_session(gateway_emulator, gateway_emulator_session):
        assert gateway_emulator is gateway_emulator_session
    """
)


# A user's tests that read the model list: each starts with nothing learned and an empty
# cache folder of its own, never the user's.
USER_MODEL_LIST_TESTS = textwrap.dedent(
    """
    import os

    from assemblyai_gateway import GatewayClient
    from assemblyai_gateway.catalog import ModelInfo

    NEW = ModelInfo("claude-sonnet-5", "anthropic", 500_000, 64_000, native_streaming=True)


    def test_first_reads_the_list(gateway_emulator):
        gateway_emulator.add_model(NEW)
        assert GatewayClient().model_info("claude-sonnet-5").listed
        assert os.listdir(os.environ["ASSEMBLYAI_GATEWAY_CACHE_DIR"])


    def test_second_starts_with_nothing_learned(gateway_emulator):
        assert not os.path.exists(os.environ["ASSEMBLYAI_GATEWAY_CACHE_DIR"])
        assert GatewayClient().model_info("claude-sonnet-5").known is False
    """
)


def run_user_tests(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Run ``source`` as a user's test file, with only our plugin and pytest-socket."""
    (folder / "test_user.py").write_text(source, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ASSEMBLYAI_")  # a user's shell, not this suite's settings
    }
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["HOME"] = str(folder / "home")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "assemblyai_gateway.pytest_plugin",
            "-p",
            "pytest_socket",
            "--allow-hosts=127.0.0.1",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "-q",
            "test_user.py",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_fixture_points_the_environment_at_the_emulator(gateway_emulator: GatewayEmulator) -> None:
    assert os.environ["ASSEMBLYAI_API_KEY"] == gateway_emulator.api_key
    assert os.environ["ASSEMBLYAI_GATEWAY_BASE_URL"] == gateway_emulator.base_url
    assert gateway_emulator.base_url.startswith("http://127.0.0.1:")


def test_fixture_starts_with_an_empty_log_and_no_faults(gateway_emulator: GatewayEmulator) -> None:
    assert gateway_emulator.requests == []
    assert gateway_emulator.pending_faults == 0
    gateway_emulator.inject(Fault.status(500, "only for this test"))
    with httpx.Client(timeout=5) as client:
        response = client.post(
            f"{gateway_emulator.base_url}/chat/completions",
            headers={"Authorization": gateway_emulator.api_key},
            json={"model": "gpt-4.1", "prompt": "hi"},
        )
    assert response.status_code == 500


def test_fixture_resets_between_tests_in_a_user_project(tmp_path: Path) -> None:
    result = run_user_tests(tmp_path, USER_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_user_projects_tests_read_the_model_list_in_isolation(tmp_path: Path) -> None:
    result = run_user_tests(tmp_path, USER_MODEL_LIST_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert not (tmp_path / "home").exists()  # the user's own cache folder was never touched


def test_loading_the_plugin_loads_no_emulator_module_and_no_http_server() -> None:
    code = (
        "import sys, assemblyai_gateway.pytest_plugin;"
        "print(sorted(m for m in sys.modules"
        " if m.startswith('assemblyai_gateway.emulator') or m == 'http.server'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_entry_point_names_the_lazy_plugin() -> None:
    pyproject = Path(__file__).parents[3] / "pyproject.toml"
    assert 'assemblyai_gateway = "assemblyai_gateway.pytest_plugin"' in pyproject.read_text(
        encoding="utf-8"
    )
