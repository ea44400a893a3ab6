#!/usr/bin/env bash
# `make test-deps`: prove the dependency ranges that pyproject.toml publishes.
#
# The offline unit suite runs twice, each time in a fresh environment built without
# uv.lock: once with every dependency at its highest allowed version, once with our
# direct dependencies at their lowest allowed versions (`--resolution lowest-direct`).
# The test tools (the `test` dependency group) are then added at whatever versions fit
# beside those, so they never drag a runtime dependency above its floor.
set -euo pipefail
UV="${1:-uv}"
cd "$(dirname "$0")/../.."
ROOT="$PWD"
WORK="$ROOT/.venv-deps"
SUITE=(tests --ignore=tests/test_benchmarks --ignore=tests/test_cookbook -q)

test_group() {
    python3 - <<'PY'
import tomllib
groups = tomllib.load(open("pyproject.toml", "rb"))["dependency-groups"]
def expand(name):
    for item in groups[name]:
        if isinstance(item, dict):
            yield from expand(item["include-group"])
        else:
            yield item
print("\n".join(expand("test")))
PY
}

run() {
    local resolution="$1"
    local venv="$WORK/$resolution"
    echo "== test-deps: resolution=$resolution =="
    rm -rf "$venv"
    "$UV" venv --quiet --python "${UV_PYTHON:-python3}" "$venv"
    test_group > "$WORK/test-group.txt"
    if [ "$resolution" = "highest" ]; then
        "$UV" pip install --quiet --python "$venv/bin/python" --resolution highest \
            -e ".[all]" -r "$WORK/test-group.txt"
    else
        "$UV" pip install --quiet --python "$venv/bin/python" --resolution lowest-direct -e ".[all]"
        "$UV" pip freeze --python "$venv/bin/python" --exclude-editable > "$WORK/floor.txt"
        "$UV" pip install --quiet --python "$venv/bin/python" -c "$WORK/floor.txt" \
            -r "$WORK/test-group.txt"
    fi
    echo "-- direct dependencies as installed:"
    "$UV" pip freeze --python "$venv/bin/python" \
        | grep -i -E '^(httpx|httpx-sse|pydantic|tenacity|typing-extensions|langchain-core|llama-index-core|jsonschema|json-repair)=' \
        | sed 's/^/   /'
    (cd "$ROOT" && "$venv/bin/python" -m pytest "${SUITE[@]}")
}

mkdir -p "$WORK"
run highest
run lowest-direct
echo "test-deps: both resolutions passed"
