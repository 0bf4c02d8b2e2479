#!/usr/bin/env bash
# Interop suite: the server judged by independent implementations.
#
#   1. webhooks_check.py  - deliveries verified by the `standardwebhooks` library
#                           (signatures, retries, stable webhook-id).
#   2. spec_check.py      - /api/openapi.json validated by openapi-spec-validator.
#   3. escpos_check.py    - receipts for thermal printers: the layouts written by the
#                           escpos_sample example replayed through python-escpos, whose
#                           bytes must equal ours.
#   4. push_check.py      - Web Push judged by the npm package web-push-testing, a push
#                           service that verifies the VAPID JWT and decrypts each message
#                           (installed with npm into target/interop-npm, never committed).
#   5. schemathesis       - property-based requests generated from /api/openapi.json:
#                           no 5xx; every status, content type and body as documented;
#                           schema-valid requests accepted.
#   6. woocommerce_check.py - the fake WooCommerce (`fakeshops woocommerce`) driven by the
#                           official `woocommerce` client: OAuth 1.0a signatures, paging,
#                           stock and price writes, orders, the webhook's signature.
#   7. prestashop_check.py  - the fake PrestaShop driven by prestapyt: its Webservice XML read
#                           and written back, filters, order histories.
#   8. magento_check.py     - the fake Magento asked as Adobe's REST docs ask (stdlib urllib):
#                           searchCriteria, source items, base prices, orders.
#   9. shopify_check.mjs    - the fake Shopify judged by @shopify/shopify-api (npm, into the
#                           same prefix as web-push-testing): webhook HMACs validated by the
#                           library, the Admin GraphQL answers read by @shopify/admin-api-client.
#
# Expects $CARGO_TARGET_DIR/debug/omnicanal (target/ when unset; cargo build -p omnicanal-server)
# or OMNICANAL_BIN, and debug/fakeshops beside it (cargo build -p omnicanal-fakeshops) or
# FAKESHOPS_BIN for checks 6 to 9; the only
# thing it builds is the small escpos_sample example (cargo run: needs cargo on the PATH).
# Starts the server on a free loopback port with a fresh SQLite database, always stops it,
# and ends with a line `N passed, M failed`; exits 1 if anything failed.
#
# Settings (environment):
#   OMNICANAL_BIN          server binary            ($CARGO_TARGET_DIR or target/, then debug/omnicanal)
#   FAKESHOPS_BIN          the fake shops' binary   (the same target dir, debug/fakeshops)
#   INTEROP_VENV           Python venv              (the same target dir, interop-venv)
#   INTEROP_NPM            npm prefix for web-push-testing and @shopify/shopify-api (the same
#                          target dir, interop-npm)
#   INTEROP_MAX_EXAMPLES   schemathesis cases per operation and phase (50)
#   INTEROP_SEED           schemathesis seed        (1; "random" for a fresh one)
#   INTEROP_ST_MAX_TIME    schemathesis time budget, seconds (150): it stops, and reports, then
#   INTEROP_ST_TIMEOUT     hard limit, seconds, should it not stop by itself (max time + 120)
#   INTEROP_ST_EXTRA       extra `st run` options, e.g. "--report har" to see every request
#   INTEROP_KEEP=1         keep the work dir (server log, reports) after the run
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/tests/interop"
cd "$ROOT"

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${OMNICANAL_BIN:-$TARGET/debug/omnicanal}
FAKESHOPS=${FAKESHOPS_BIN:-$TARGET/debug/fakeshops}
VENV=${INTEROP_VENV:-$TARGET/interop-venv}
MAX_EXAMPLES=${INTEROP_MAX_EXAMPLES:-50}
SEED=${INTEROP_SEED:-1}
ST_MAX_TIME=${INTEROP_ST_MAX_TIME:-150}
ST_TIMEOUT=${INTEROP_ST_TIMEOUT:-$((ST_MAX_TIME + 120))}
PYTHON=${PYTHON:-python3}

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
  echo "$passed passed, $failed failed"
}

if [ ! -x "$BIN" ]; then
  fail "no server binary at $BIN (run: cargo build -p omnicanal-server, or set OMNICANAL_BIN)"
  summary
  exit 1
fi

# --- Python venv ------------------------------------------------------------------------
# (Re)installed when missing or when requirements.txt changed.
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.interop-requirements" 2>/dev/null)" != "$want" ]; then
  echo "# installing $HERE/requirements.txt into $VENV"
  if ! { "$PYTHON" -m venv "$VENV" \
    && "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"; }; then
    fail "could not install $HERE/requirements.txt into $VENV"
    summary
    exit 1
  fi
  echo "$want" >"$VENV/.interop-requirements"
fi
PY="$VENV/bin/python"
# Everything here talks to loopback: never through a proxy the environment may name.
export NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"

# --- server -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omnicanal-interop.XXXXXX")
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
# A loopback port nobody listens on: the server's outgoing HTTP goes there (see below).
DEAD_PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
WPT_PID=""

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
  if [ -n "$WPT_PID" ]; then kill "$WPT_PID" 2>/dev/null || true; fi
  if [ "${INTEROP_KEEP:-0}" = 1 ]; then
    echo "# work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Schemathesis registers webhooks with URLs it makes up, and the server then POSTs
# events to them. This machine may only send traffic to loopback, so the server's HTTP
# client (reqwest, which honours these variables) is pointed at a dead loopback proxy
# for everything but loopback itself: made-up hosts are never resolved nor contacted.
# OMNICANAL_PUSH_ALLOWED_HOSTS lets subscriptions name web-push-testing on localhost (the
# default allow-list names only the browsers' push services).
# OMNICANAL_LOGIN_IP_LIMIT=0: schemathesis signs in with made-up e-mails, all from 127.0.0.1;
# the address rule would answer 429 to the rest of its run (the per-e-mail rule stays on).
# OMNICANAL_OUTBOUND_ALLOWED_HOSTS: our webhook receivers listen on loopback, which the
# outbound policy refuses unless named (webhooks ignore the proxy variables above).
env HTTP_PROXY="http://127.0.0.1:$DEAD_PORT" HTTPS_PROXY="http://127.0.0.1:$DEAD_PORT" \
  ALL_PROXY="http://127.0.0.1:$DEAD_PORT" http_proxy="http://127.0.0.1:$DEAD_PORT" \
  https_proxy="http://127.0.0.1:$DEAD_PORT" all_proxy="http://127.0.0.1:$DEAD_PORT" \
  NO_PROXY="127.0.0.1,localhost,::1" no_proxy="127.0.0.1,localhost,::1" \
  NO_COLOR=1 RUST_LOG="${RUST_LOG:-info}" RUST_BACKTRACE=1 \
  OMNICANAL_PUSH_ALLOWED_HOSTS="127.0.0.1,localhost" OMNICANAL_LOGIN_IP_LIMIT=0 \
  OMNICANAL_OUTBOUND_ALLOWED_HOSTS="127.0.0.1,localhost" \
  OMNICANAL_ADMIN_EMAIL=admin@interop.test OMNICANAL_ADMIN_PASSWORD=interop-password-1 \
  "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "sqlite://$WORK/interop.db" \
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
if [ "$ready" = 1 ] && "$PY" -c '
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
sys.exit(0 if opener.open(sys.argv[1] + "/healthz", timeout=5).status == 200 else 1)
' "$BASE" 2>/dev/null; then
  pass "server started on $BASE and /healthz answers 200"
else
  fail "server did not start (log below)"
  tail -n 40 "$WORK/server.log" || true
  summary
  exit 1
fi

# Runs one of the Python checks, which print PASS:/FAIL: lines and `RESULT passed=N failed=M`.
py_check() {
  local name=$1 limit=$2 script=$3 log="$WORK/$3.log" rc=0 result p f
  shift 3
  (cd "$HERE" && timeout -k 10 "$limit" "$PY" "$script" "$@") | tee "$log" || rc=$?
  result=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+$' "$log" | tail -n 1 || true)
  if [ -z "$result" ]; then
    fail "$script did not finish (exit $rc)"
    return
  fi
  p=$(sed -E 's/^RESULT passed=([0-9]+) failed=([0-9]+)$/\1/' <<<"$result")
  f=$(sed -E 's/^RESULT passed=([0-9]+) failed=([0-9]+)$/\2/' <<<"$result")
  passed=$((passed + p))
  failed=$((failed + f))
  while IFS= read -r line; do failures+=("$name: ${line#FAIL: }"); done < <(grep '^FAIL: ' "$log" || true)
  if [ "$f" = 0 ] && [ "$rc" != 0 ]; then fail "$script exited $rc"; fi
}

# --- 1. webhooks ------------------------------------------------------------------------
echo
echo "=== Standard Webhooks (standardwebhooks $("$PY" -c 'import importlib.metadata as m; print(m.version("standardwebhooks"))')) ==="
py_check webhooks 120 webhooks_check.py "$BASE"

# --- 2. the OpenAPI document ------------------------------------------------------------
echo
echo "=== OpenAPI document (openapi-spec-validator $("$PY" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))')) ==="
py_check openapi 60 spec_check.py "$BASE"

# --- 3. ESC/POS receipts ----------------------------------------------------------------
# The example writes each sample document's print layout (JSON) and our bytes into the work
# dir (never into the tree); the check replays the layouts through python-escpos.
echo
echo "=== ESC/POS receipts (python-escpos $("$PY" -c 'import importlib.metadata as m; print(m.version("python-escpos"))')) ==="
if cargo run -q -p omnicanal-server --example escpos_sample -- "$WORK/escpos" >"$WORK/escpos_sample.log" 2>&1; then
  py_check escpos 60 escpos_check.py "$WORK/escpos"
else
  fail "could not build or run the escpos_sample example (cargo run -p omnicanal-server --example escpos_sample)"
  tail -n 20 "$WORK/escpos_sample.log" || true
fi

# --- 4. Web Push ------------------------------------------------------------------------
# web-push-testing plays the browsers' push service on a loopback port: it hands out
# subscriptions for our VAPID key, verifies each push's JWT and decrypts its body.
WPT_VERSION=1.2.2
NPM_DIR=${INTEROP_NPM:-$TARGET/interop-npm}
WPT="$NPM_DIR/node_modules/web-push-testing"
echo
echo "=== Web Push (web-push-testing $WPT_VERSION, node $(node --version 2>/dev/null || echo missing)) ==="
if ! grep -q "\"version\": \"$WPT_VERSION\"" "$WPT/package.json" 2>/dev/null; then
  echo "# installing web-push-testing@$WPT_VERSION into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error "web-push-testing@$WPT_VERSION" \
    >"$WORK/npm-install.log" 2>&1 || true
fi
if [ ! -f "$WPT/src/bin/server.js" ]; then
  fail "could not install web-push-testing@$WPT_VERSION with npm (see below)"
  tail -n 20 "$WORK/npm-install.log" 2>/dev/null || true
else
  WPT_PORT=$(free_port)
  node "$WPT/src/bin/server.js" "$WPT_PORT" >"$WORK/web-push-testing.log" 2>&1 &
  WPT_PID=$!
  for _ in $(seq 1 50); do
    grep -q "Server running on port" "$WORK/web-push-testing.log" 2>/dev/null && break
    sleep 0.2
  done
  if grep -q "Server running on port" "$WORK/web-push-testing.log" 2>/dev/null; then
    # Its subscriptions name http://localhost:PORT, which the server may reach (loopback).
    py_check push 90 push_check.py "$BASE" "http://localhost:$WPT_PORT"
  else
    fail "web-push-testing did not start (log below)"
    tail -n 20 "$WORK/web-push-testing.log" || true
  fi
  kill "$WPT_PID" 2>/dev/null || true
  wait "$WPT_PID" 2>/dev/null || true
  WPT_PID=""
fi

# --- 5. schemathesis --------------------------------------------------------------------
echo
echo "=== schemathesis $("$VENV/bin/st" --version | awk '{print $NF}') against $BASE/api/openapi.json ==="
if (cd "$HERE" && "$PY" seed_schemathesis.py "$BASE" "$WORK/st" "$DEAD_PORT"); then
  st_args=(
    --config-file "$WORK/st/schemathesis.toml"
    run "$BASE/api/openapi.json"
    --header "Authorization: Bearer $(cat "$WORK/st/token")"
    --max-examples "$MAX_EXAMPLES"
    # The bound on time. With it, fuzzing repeats until the budget is spent, so the run
    # takes about that long; without it, Hypothesis's target optimisation can spin for
    # many minutes on one operation (seen after the server dropped connections), and a
    # run killed from outside writes no report.
    --max-time "$ST_MAX_TIME"
    # What the document promises, checked on every answer: no 5xx; each status, content type
    # (errors are application/problem+json) and body documented for its operation; and
    # schema-valid requests accepted (2xx, or an answer about the world: 401/402/403/404/409/
    # 429, set in the generated config). References in bodies are bound to seeded ids, and
    # st_hooks.py keeps positive cases within the cross-field rules no schema can state.
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance
    # Server-sent event streams stay open by design (stock/events, orders/{id}/events).
    --exclude-path-regex '/events$'
    # Logging out or changing the password would end the shared session for the rest of the run.
    --exclude-path /api/v1/auth/logout
    --exclude-path /api/v1/auth/password
    # A few operations combine patterns (names, SKUs, RFC 3339) that make Hypothesis discard
    # many drafts; its "filter too much" health check would stop the whole fuzzing phase.
    --suppress-health-check filter_too_much
    --request-timeout 10
    --no-color
    --report junit --report-junit-path "$WORK/st/junit.xml"
  )
  if [ "$SEED" != random ]; then st_args+=(--seed "$SEED"); fi
  # shellcheck disable=SC2206 # word splitting wanted
  if [ -n "${INTEROP_ST_EXTRA:-}" ]; then st_args+=(${INTEROP_ST_EXTRA}); fi
  st_rc=0
  start=$(date +%s)
  (cd "$WORK/st" && timeout -k 10 "$ST_TIMEOUT" "$VENV/bin/st" "${st_args[@]}") \
    >"$WORK/st/output.txt" 2>&1 || st_rc=$?
  elapsed=$(($(date +%s) - start))
  # The report: failures in full, then the summary (the per-phase chatter is skipped).
  if grep -qE '^=+ (FAILURES|ERRORS) =+$' "$WORK/st/output.txt"; then
    sed -n -E '/^=+ (FAILURES|ERRORS) =+$/,$p' "$WORK/st/output.txt"
  else
    sed -n -E '/^=+ SUMMARY =+$/,$p' "$WORK/st/output.txt"
  fi
  echo "# schemathesis exited $st_rc after ${elapsed}s"
  # One result per tested operation, from the JUnit report.
  counts=$("$PY" - "$WORK/st/junit.xml" <<'EOF' || true
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    sys.exit(1)
ok = bad = 0
for case in root.iter("testcase"):
    problems = case.findall("failure") + case.findall("error")
    if problems:
        bad += 1
        first = (problems[0].get("message") or problems[0].text or "").strip().splitlines()
        print(f"FAIL {case.get('name')}: {first[0] if first else ''}"[:300])
    elif case.find("skipped") is None:
        ok += 1
print(f"COUNT {ok} {bad}")
EOF
)
  if grep -q '^COUNT ' <<<"$counts"; then
    read -r _ sp sf < <(grep '^COUNT ' <<<"$counts")
    passed=$((passed + sp))
    failed=$((failed + sf))
    echo "# schemathesis: $sp operations passed, $sf failed"
    while IFS= read -r line; do failures+=("schemathesis: ${line#FAIL }"); done \
      < <(grep '^FAIL ' <<<"$counts" || true)
    if [ "$st_rc" = 124 ] || [ "$st_rc" = 137 ]; then
      fail "schemathesis hit the ${ST_TIMEOUT}s limit"
    elif [ "$st_rc" != 0 ] && [ "$sf" = 0 ]; then
      fail "schemathesis exited $st_rc (see its output above)"
    fi
  else
    fail "schemathesis produced no report (exit $st_rc)"
    tail -n 40 "$WORK/st/output.txt"
  fi
else
  fail "could not seed data for schemathesis"
fi

# --- 6-9. the fake shops, judged by the shops' own clients -------------------------------
# Each check starts `fakeshops <kind>` itself (its first line is its base URL) and stops it;
# none talks to the server. A missing binary is one failure, not four tracebacks.
shop_check() {
  local name=$1 script=$2
  shift 2
  if [ ! -x "$FAKESHOPS" ]; then
    fail "$name: no fakeshops binary at $FAKESHOPS (cargo build -p omnicanal-fakeshops, or set FAKESHOPS_BIN)"
  else
    py_check "$name" 60 "$script" "$FAKESHOPS" "$@"
  fi
}

# --- 6. WooCommerce (fake shop judged by the official `woocommerce` client) ---------------
echo
echo "=== WooCommerce (woocommerce $("$PY" -c 'import importlib.metadata as m; print(m.version("woocommerce"))') against fakeshops woocommerce) ==="
shop_check woocommerce woocommerce_check.py

# --- 7. PrestaShop (fake shop judged by prestapyt) ----------------------------------------
echo
echo "=== PrestaShop (prestapyt $("$PY" -c 'import importlib.metadata as m; print(m.version("prestapyt"))') against fakeshops prestashop) ==="
shop_check prestashop prestashop_check.py

# --- 8. Magento (fake shop asked as Adobe's REST docs ask; stdlib only) --------------------
echo
echo "=== Magento (Adobe's REST docs, urllib, against fakeshops magento) ==="
shop_check magento magento_check.py

# --- 9. Shopify (fake shop judged by @shopify/shopify-api) --------------------------------
# Installed into the web-push-testing prefix (NPM_DIR, section 4); run with node through
# py_check (PY=node), which reads the same PASS:/FAIL:/RESULT lines.
SHOPIFY_API_VERSION=13.1.0
echo
echo "=== Shopify (@shopify/shopify-api $SHOPIFY_API_VERSION against fakeshops shopify) ==="
if ! grep -q "\"version\": \"$SHOPIFY_API_VERSION\"" "$NPM_DIR/node_modules/@shopify/shopify-api/package.json" 2>/dev/null; then
  echo "# installing @shopify/shopify-api@$SHOPIFY_API_VERSION into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error "@shopify/shopify-api@$SHOPIFY_API_VERSION" \
    >"$WORK/npm-shopify.log" 2>&1 || true
fi
if [ ! -f "$NPM_DIR/node_modules/@shopify/shopify-api/package.json" ]; then
  fail "shopify: could not install @shopify/shopify-api@$SHOPIFY_API_VERSION with npm (see below)"
  tail -n 20 "$WORK/npm-shopify.log" 2>/dev/null || true
else
  PY=node shop_check shopify shopify_check.mjs "$NPM_DIR"
fi

# --- the server itself ------------------------------------------------------------------
if kill -0 "$SERVER_PID" 2>/dev/null; then
  pass "server still running after the checks"
else
  fail "server died during the checks"
fi
if grep -qE 'panicked at' "$WORK/server.log"; then
  # The message and the first frame in the project's own code, once per distinct panic.
  where=$(awk '/panicked at/ {getline msg; m = msg; next}
               m != "" && /at \.\/crates\// {sub(/^ +at /, ""); print m " @ " $0; m = ""}' \
    "$WORK/server.log" | sort | uniq -c | sort -rn | head -n 5 | sed -E 's/^ +//' | paste -sd ';' -)
  fail "server log shows a panic: $(grep -c 'panicked at' "$WORK/server.log")x, ${where:-see the log}"
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

summary
[ "$failed" = 0 ]
