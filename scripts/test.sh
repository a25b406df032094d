#!/usr/bin/env bash
# The README's test command (`npm test`) and CI's (.ci/run calls it): every suite, with the set-up they need.
# Prints one closing line: "N passed, N failed, N skipped"; exits non-zero on any failure.
# Set-up first: tfjs-node's binding (training tests; built offline, scripts/install-tfjs-node-offline.sh) and
# Debian's headless Chromium (browser test; scripts/ensure-chromium.sh). Both return at once when present;
# TEST_SETUP=0 skips them (tests that need them then skip, or fail under CI=true).
# Deno suites: tests/**/*_test.ts (unit, HTTP, real server, workerd, fuzz, …).
# Node suites: tests/node/**/*.test.ts (training with tfjs-node) and tests/browser/ (headless Chromium).
# Under CI=true a skipped test counts as failed: CI must run every suite, so a missing set-up is an error.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
mkdir -p test-output
passed=0 failed=0 skipped=0 status=0

# Deno prints "ok | 18 passed | 0 failed | 2 ignored (1s)"; sum the numbers from that line.
run_deno() {
  local log="test-output/$1.log"; shift
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line; line="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| ' | tail -n1)"
  if [ -z "$line" ]; then echo "!! no Deno summary in $log"; failed=$((failed + 1)); status=1; return; fi
  passed=$((passed + $(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)))
  failed=$((failed + $(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)))
  skipped=$((skipped + $(echo "$line" | grep -oE '[0-9]+ ignored' | grep -oE '[0-9]+' || echo 0)))
  [ "$rc" -eq 0 ] || status=1
}

# node --test prints "# pass N", "# fail N", "# cancelled N" (a test that timed out: counted as failed), "# skipped N".
run_node() {
  local log="test-output/$1.log"; shift
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f s c
  p="$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)"
  f="$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)"
  s="$(grep -E '^# skipped [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)"
  c="$(grep -E '^# cancelled [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)"
  if [ -z "$p" ]; then echo "!! no node:test summary in $log"; failed=$((failed + 1)); status=1; return; fi
  passed=$((passed + p)); failed=$((failed + ${f:-0} + ${c:-0})); skipped=$((skipped + ${s:-0}))
  [ "$rc" -eq 0 ] || status=1
}

if [ "${TEST_SETUP:-1}" != 0 ]; then
  echo "== set-up: tfjs-node binding (training tests)"
  bash scripts/install-tfjs-node-offline.sh || echo "!! tfjs-node binding could not be built: the training tests will not run"
  echo "== set-up: headless Chromium (browser test)"
  bash scripts/ensure-chromium.sh || echo "!! Chromium could not be installed: the browser test will not run"
fi

# The mutation fuzzer sends 10,000 generated requests (its own default); FUZZ_RUNS changes that. Its process
# stays near 150 MB since TIFF directories are bounded (docs/reliability.md, memory).
export FUZZ_RUNS="${FUZZ_RUNS:-10000}"
run_deno deno deno task test:deno
node_tests="$(find tests/node tests/browser -name '*.test.ts' 2>/dev/null | sort)"
if [ -n "$node_tests" ]; then
  # shellcheck disable=SC2086 # one argument per file
  run_node node node --import tsx --test --test-concurrency=1 $node_tests
fi

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
  echo
  echo "!! CI=true: ${skipped} skipped tests count as failed (a suite's set-up is missing):"
  sed 's/\x1b\[[0-9;]*m//g' test-output/*.log | grep -E ' \.\.\. ignored|# SKIP' || true
  failed=$((failed + skipped))
fi

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$failed" -gt 0 ]; then status=1; fi
exit "$status"
