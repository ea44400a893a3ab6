#!/usr/bin/env bash
# `make test-deps`: prove the dependency ranges that pyproject.toml publishes, on every
# Python version it lists (its `Programming Language :: Python :: 3.X` classifiers).
#
# For each version, the offline unit suite runs twice, each time in a fresh environment
# built without uv.lock: once with every dependency at its highest allowed version
# (`highest`), once with each of our direct dependencies pinned at exactly the floor
# pyproject.toml publishes and everything else as new as fits (`lowest-direct`; a floor
# that cannot be installed is a floor no test proves, so the run fails and says why).
# The test tools (the `test` dependency group) are installed beside them at whatever
# versions fit, so they never drag a runtime dependency above its floor.
#
# A version whose interpreter is not on this machine (looked for as python3.X on PATH,
# among uv's interpreters, then in pyenv) is skipped, and the summary says so;
# TEST_DEPS_REQUIRE_ALL_PYTHONS=1 makes that a failure. TEST_DEPS_PYTHONS="3.12" and
# TEST_DEPS_RESOLUTIONS="highest" narrow the runs.
#
# Usage: test_deps.sh UV HOST_PYTHON (the Makefile passes both).
set -euo pipefail
UV="${1:-uv}"
HOST_PYTHON="${2:-python3}"
cd "$(dirname "$0")/../.."
ROOT="$PWD"
WORK="$ROOT/.venv-deps"
# On every core, as `make test` runs it (pytest-xdist is in the test group).
SUITE=(tests --ignore=tests/test_benchmarks --ignore=tests/test_cookbook -q
    -n "${PYTEST_WORKERS:-auto}" --dist load --maxschedchunk 1)
RESOLUTIONS="${TEST_DEPS_RESOLUTIONS:-highest lowest-direct}"

ranges() {
    "$HOST_PYTHON" -m tests.support.dependency_ranges "$@"
}

# Print the interpreter for Python $1 as it names itself (sys.executable), or fail.
find_python() {
    local version="$1" found prefix candidate
    local candidates=("python$version")
    if found="$(env -u UV_PYTHON UV_PYTHON_DOWNLOADS=never \
        "$UV" python find --no-project "$version" 2>/dev/null)"; then
        candidates+=("$found")
    fi
    if command -v pyenv >/dev/null 2>&1 && prefix="$(pyenv prefix "$version" 2>/dev/null)"; then
        candidates+=("$prefix/bin/python$version")
    fi
    for candidate in "${candidates[@]}"; do
        if "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'; \
print(sys.executable)" 2>/dev/null; then
            return 0
        fi
    done
    return 1
}

# One run; fails (status 1) without stopping the others, so one slow `make test-deps`
# reports every version and resolution.
run() {
    local python="$1" version="$2" resolution="$3"
    local venv="$WORK/py$version-$resolution"
    echo "== test-deps: Python $version ($python), resolution=$resolution =="
    rm -rf "$venv"
    "$UV" venv --quiet --python "$python" "$venv" || return 1
    if [ "$resolution" = "highest" ]; then
        "$UV" pip install --quiet --python "$venv/bin/python" --resolution highest \
            -e ".[all]" -r "$WORK/test-group.txt" || return 1
    else
        # Our direct dependencies exactly at the floors pyproject.toml publishes, everything
        # else as new as fits beside them: what `--resolution lowest-direct` aims at, made
        # exact, so a floor the resolver would step over fails here instead.
        if ! "$UV" pip install --quiet --python "$venv/bin/python" -c "$WORK/floors.txt" \
            -e ".[all]" -r "$WORK/test-group.txt"; then
            echo "test-deps: on Python $version the published floors do not install together" \
                "(the resolver says why above): raise the floor it names in pyproject.toml" >&2
            return 1
        fi
    fi
    echo "-- direct dependencies as installed:"
    "$UV" pip freeze --python "$venv/bin/python" \
        | grep -i -E -f <(sed 's/.*/^&==/' "$WORK/direct.txt") | sed 's/^/   /'
    "$venv/bin/python" -m pytest "${SUITE[@]}" || return 1
}

mkdir -p "$WORK"
ranges test-group > "$WORK/test-group.txt"
ranges names > "$WORK/direct.txt"
ranges floors > "$WORK/floors.txt"
passed=()
failed=()
missing=()
for version in ${TEST_DEPS_PYTHONS:-$(ranges pythons)}; do
    if ! python="$(find_python "$version")"; then
        echo "== test-deps: Python $version: no interpreter found (python$version on PATH," \
            "uv's interpreters, pyenv): SKIPPED ==" >&2
        missing+=("$version")
        continue
    fi
    for resolution in $RESOLUTIONS; do
        if run "$python" "$version" "$resolution"; then
            passed+=("$version/$resolution")
        else
            failed+=("$version/$resolution")
        fi
    done
done

echo "== test-deps summary =="
echo "passed: ${passed[*]:-(none)}"
status=0
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]} (see the runs above)" >&2
    status=1
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "NOT TESTED on Python ${missing[*]}: no interpreter found; install it (e.g. pyenv" \
        "install ${missing[0]}, or uv python install ${missing[0]}) and run make test-deps again" >&2
    if [ "${TEST_DEPS_REQUIRE_ALL_PYTHONS:-0}" = 1 ]; then
        status=1
    fi
fi
if [ "${#passed[@]}" -eq 0 ] && [ "${#failed[@]}" -eq 0 ]; then
    echo "no supported Python version was found" >&2
    status=1
fi
exit "$status"
