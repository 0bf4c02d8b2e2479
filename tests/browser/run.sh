#!/usr/bin/env bash
# Browser tests of the customer's ordering app (issue #4) in real, headless Chromium
# (Debian's package) driven by Playwright (playwright-core, no browser download of its own):
# the whole journey across three restaurants with live updates, sold out meanwhile, 360 px,
# language, accessibility basics. See tests/browser/README.md.
# Also the merchant console (issue #5): the live display, switches, history, reports, and a
# restart of a second server of its own (console-restart.test.mjs, using OMNICANAL_BIN).
# And issue #13: every page at 360 and 1280 px (words whole, nothing past the edge), the
# modifier picker, every refusal in the catalog's words (es, en), and "Avísame" told truly.
# And issue 14: the till (/pos) selling with a scanner, promotions explained, cash with change,
# and five sales made with its server really stopped arriving exactly once (pos*.test.mjs).
#
# Expects target/debug/omnicanal (cargo build -p omnicanal-server) or OMNICANAL_BIN; builds
# nothing. Installs Chromium with apt when it is missing, and playwright-core (pinned in
# package-lock.json) into target/browser-node with `npm ci`. Starts `omnicanal serve --demo`
# on a free loopback port with a fresh SQLite database, makes the demo deterministic (every
# restaurant always open), runs `node --test`, always stops the server, keeps screenshots in
# target/browser-artifacts, and ends with a line `N passed, M failed`; exits 1 on any failure.
#
# Settings (environment):
#   OMNICANAL_BIN        server binary               (target/debug/omnicanal)
#   CHROMIUM             browser                     (/usr/bin/chromium)
#   BROWSER_NODE_DIR     npm install directory       (target/browser-node)
#   BROWSER_ARTIFACTS    screenshots                 (target/browser-artifacts)
#   BROWSER_TIMEOUT      limit for the tests, s      (900)
#   BROWSER_TESTS        test files to run           (tests/browser/*.test.mjs)
#   BROWSER_KEEP=1       keep the work dir (server log, TAP report) after the run
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/tests/browser"
cd "$ROOT"

BIN=${OMNICANAL_BIN:-$ROOT/target/debug/omnicanal}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
NODE_DIR=${BROWSER_NODE_DIR:-$ROOT/target/browser-node}
ARTIFACTS=${BROWSER_ARTIFACTS:-$ROOT/target/browser-artifacts}
TEST_TIMEOUT=${BROWSER_TIMEOUT:-900}

passed=0
failed=0
failures=()
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); echo "FAIL: $*"; }
summary() {
  echo
  if [ "${#failures[@]}" -gt 0 ]; then
    echo "Failed:"
    printf '  - %s\n' "${failures[@]}"
  fi
  echo "Screenshots: $ARTIFACTS"
  echo "$passed passed, $failed failed"
}
give_up() {
  fail "$*"
  summary
  exit 1
}

if [ ! -x "$BIN" ]; then
  give_up "no server binary at $BIN (run: cargo build -p omnicanal-server, or set OMNICANAL_BIN)"
fi
command -v node >/dev/null || give_up "node is not installed"
command -v npm >/dev/null || give_up "npm is not installed"

# --- Chromium (Debian's package) -----------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  echo "# installing chromium with apt"
  SUDO=()
  if [ "$(id -u)" != 0 ]; then SUDO=(sudo -n); fi
  if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
      >/dev/null; }; then
    give_up "could not install chromium with apt-get"
  fi
  [ -x "$CHROMIUM" ] || give_up "apt installed chromium but $CHROMIUM is not there"
fi
echo "# $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

# --- playwright-core (npm ci into target/, reinstalled when the lock file changes) ----------
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ] || [ "$(cat "$NODE_DIR/.lock-sha256" 2>/dev/null)" != "$want" ]; then
  echo "# installing $HERE/package-lock.json into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  rm -f "$NODE_DIR/.lock-sha256"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/"
  if ! (cd "$NODE_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error); then
    give_up "npm ci of $HERE/package-lock.json into $NODE_DIR failed"
  fi
  echo "$want" >"$NODE_DIR/.lock-sha256"
fi
echo "# playwright-core $(node -p "require('$NODE_DIR/node_modules/playwright-core/package.json').version"), node $(node --version)"

# Everything here talks to loopback: never through a proxy the environment may name.
export NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"

# --- screenshots: fresh for each run, never in git (target/ is ignored) ------------------
mkdir -p "$ARTIFACTS"
find "$ARTIFACTS" -maxdepth 1 -type f -name '*.png' -delete

# --- server -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omnicanal-browser.XXXXXX")
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port)
# A loopback port nobody listens on: any outgoing HTTP of the server (push, webhooks) goes there.
DEAD_PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

stop_server() {
  # SIGTERM, then up to 15 s for a clean stop; returns the exit status (or 124 if it hung).
  local pid=$SERVER_PID status=0
  [ -n "$pid" ] || return 0
  SERVER_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 124
  fi
  wait "$pid" 2>/dev/null || status=$?
  return "$status"
}
cleanup() {
  stop_server || true
  if [ "${BROWSER_KEEP:-0}" = 1 ]; then
    echo "# work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# OMNICANAL_PUSH_ALLOWED_HOSTS: push subscriptions may name loopback receivers only.
# OMNICANAL_BOOKING_REMINDER_INTERVAL_MS: bookings-reminder.test.mjs waits for a reminder
# pushed by the worker, which looks for due reminders every second instead of every 30 s.
# OMNICANAL_OUTBOUND_ALLOWED_HOSTS: a till's receipt printer in pos-print.test.mjs is a
# listener on loopback, which the outbound policy refuses unless named.
env HTTP_PROXY="http://127.0.0.1:$DEAD_PORT" HTTPS_PROXY="http://127.0.0.1:$DEAD_PORT" \
  ALL_PROXY="http://127.0.0.1:$DEAD_PORT" http_proxy="http://127.0.0.1:$DEAD_PORT" \
  https_proxy="http://127.0.0.1:$DEAD_PORT" all_proxy="http://127.0.0.1:$DEAD_PORT" \
  NO_PROXY="127.0.0.1,localhost,::1" no_proxy="127.0.0.1,localhost,::1" \
  NO_COLOR=1 RUST_LOG="${RUST_LOG:-info}" RUST_BACKTRACE=1 \
  OMNICANAL_PUSH_ALLOWED_HOSTS="127.0.0.1,localhost" \
  OMNICANAL_OUTBOUND_ALLOWED_HOSTS="127.0.0.1" \
  OMNICANAL_BOOKING_REMINDER_INTERVAL_MS="1000" \
  "$BIN" serve --demo --listen "127.0.0.1:$PORT" --database-url "sqlite://$WORK/db.sqlite" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 150); do
  if grep -q "omnicanal listening on http://" "$WORK/server.log" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.2
done
if [ "$ready" = 1 ] && node -e '
fetch(process.argv[1] + "/healthz").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
' "$BASE"; then
  pass "server started on $BASE with the demo and /healthz answers 200"
else
  echo "# server log:"
  tail -n 40 "$WORK/server.log" || true
  give_up "server did not start"
fi

# --- a deterministic demo -----------------------------------------------------------------
if SITE_ID=$(node "$HERE/setup.mjs" "$BASE" 2>"$WORK/setup.log"); then
  cat "$WORK/setup.log"
  pass "demo made deterministic (site $SITE_ID)"
else
  cat "$WORK/setup.log"
  give_up "could not make the demo deterministic (see above)"
fi

# --- the pages exist ------------------------------------------------------------------------
if ! node -e '
fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
' "$BASE/s/$SITE_ID"; then
  give_up "the customer pages are not there: GET /s/$SITE_ID does not answer 200"
fi

# --- the tests ------------------------------------------------------------------------------
if [ -n "${BROWSER_TESTS:-}" ]; then
  # shellcheck disable=SC2206 # word splitting wanted
  tests=(${BROWSER_TESTS})
else
  tests=("$HERE"/*.test.mjs)
fi
echo
echo "=== node --test: ${#tests[@]} files against $BASE/s/$SITE_ID ==="
start=$(date +%s)
node_rc=0
OMNICANAL_BASE_URL="$BASE" OMNICANAL_SITE_ID="$SITE_ID" BROWSER_NODE_DIR="$NODE_DIR" \
  BROWSER_ARTIFACTS="$ARTIFACTS" CHROMIUM="$CHROMIUM" OMNICANAL_BIN="$BIN" \
  timeout -k 10 "$TEST_TIMEOUT" node --test --test-concurrency=1 --test-timeout=120000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$WORK/report.tap" \
  "${tests[@]}" || node_rc=$?
echo "# node --test exited $node_rc after $(($(date +%s) - start))s"

tap_count() { grep -E "^# $1 [0-9]+$" "$WORK/report.tap" 2>/dev/null | tail -n 1 | awk '{print $3}'; }
tp=$(tap_count pass)
tf=$(tap_count fail)
tc=$(tap_count cancelled)
if [ -z "$tp" ] || [ -z "$tf" ]; then
  fail "node --test produced no report (exit $node_rc)"
else
  passed=$((passed + tp))
  failed=$((failed + tf + ${tc:-0}))
  while IFS= read -r line; do failures+=("browser: $line"); done \
    < <(grep -E '^ *not ok [0-9]+ - ' "$WORK/report.tap" | sed -E 's/^ *not ok [0-9]+ - //' || true)
  if [ "$node_rc" = 124 ] || [ "$node_rc" = 137 ]; then
    fail "the browser tests hit the ${TEST_TIMEOUT}s limit"
  elif [ "$node_rc" != 0 ] && [ "$tf" = 0 ] && [ "${tc:-0}" = 0 ]; then
    fail "node --test exited $node_rc"
  fi
  if [ "$tp" = 0 ] && [ "$tf" = 0 ]; then
    fail "node --test ran no test"
  fi
fi

# --- the server itself ------------------------------------------------------------------
if kill -0 "$SERVER_PID" 2>/dev/null; then
  pass "server still running after the tests"
else
  fail "server died during the tests"
fi
if grep -qE 'panicked at' "$WORK/server.log"; then
  fail "server log shows a panic: $(grep -m 1 -A 1 'panicked at' "$WORK/server.log" | tr '\n' ' ')"
else
  pass "no panic in the server log"
fi
stop_rc=0
stop_server || stop_rc=$?
if [ "$stop_rc" = 0 ]; then
  pass "server stops cleanly on SIGTERM"
else
  fail "server did not stop cleanly on SIGTERM (status $stop_rc)"
fi

echo "# screenshots: $(find "$ARTIFACTS" -maxdepth 1 -name '*.png' | wc -l) in $ARTIFACTS"
summary
[ "$failed" = 0 ]
