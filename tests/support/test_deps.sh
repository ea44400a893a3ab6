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

direct_names() {
    python3 - <<'PY'
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
requirements = list(project["dependencies"])
for extra in project["optional-dependencies"].values():
    requirements += [r for r in extra if not r.startswith(project["name"])]
for requirement in requirements:
    print(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-"))
PY
}

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
        # Hold our direct dependencies at their floors; everything else may move.
        direct_names > "$WORK/direct.txt"
        "$UV" pip freeze --python "$venv/bin/python" --exclude-editable \
            | grep -i -E -f <(sed 's/.*/^&==/' "$WORK/direct.txt") > "$WORK/floor.txt"
        "$UV" pip install --quiet --upgrade --python "$venv/bin/python" -c "$WORK/floor.txt" \
            -r "$WORK/test-group.txt"
    fi
    echo "-- direct dependencies as installed:"
    direct_names > "$WORK/direct.txt"
    "$UV" pip freeze --python "$venv/bin/python" \
        | grep -i -E -f <(sed 's/.*/^&==/' "$WORK/direct.txt") | sed 's/^/   /'
    (cd "$ROOT" && "$venv/bin/python" -m pytest "${SUITE[@]}")
}

mkdir -p "$WORK"
for resolution in ${TEST_DEPS_RESOLUTIONS:-highest lowest-direct}; do
    run "$resolution"
done
echo "test-deps: passed at: ${TEST_DEPS_RESOLUTIONS:-highest lowest-direct}"
