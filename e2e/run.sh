#!/bin/sh
# Browser tests of the manager page, from a fresh machine (Debian, Node 20+,
# Go): installs Debian's chromium if missing, installs the locked npm
# packages (e2e/package.json, e2e/package-lock.json) into e2e/node_modules,
# checks the vendored SDK, builds the binary to a temp dir and runs
# e2e/*.test.mjs with node's test runner. Screenshots go to e2e/out/.
#
#   e2e/run.sh                  run the tests
#   e2e/run.sh --update-docs    also copy the worklist screenshots to docs/
set -eu
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--update-docs" ]; then
  export UPDATE_DOCS=1
fi

if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; then
  echo "e2e: installing Debian's chromium" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"

(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
node e2e/vendor.mjs --check

export GOTOOLCHAIN=auto
BUILD_DIR="$(mktemp -d)"
trap 'rm -rf "$BUILD_DIR"' EXIT
go build -tags no_ui -o "$BUILD_DIR/touchbase" .
export TOUCHBASE_BIN="$BUILD_DIR/touchbase"

mkdir -p e2e/out docs
node --test --test-concurrency=1 e2e/*.test.mjs
