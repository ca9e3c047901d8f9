#!/usr/bin/env bash
# Copy the browser libraries the console serves from npm (vendor/package-lock.json) into
# citizen_api/console/static/vendor/, with their licences. The copies are committed:
# `make run` needs no npm and nothing loads from a CDN. Run it (`make vendor`) after
# changing a version in vendor/package.json.
set -euo pipefail
cd "$(dirname "$0")/../vendor"
export npm_config_fund=false npm_config_audit=false
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
OUT=../citizen_api/console/static/vendor/leaflet
rm -rf "$OUT"
mkdir -p "$OUT/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$OUT/"
cp node_modules/leaflet/dist/images/*.png "$OUT/images/"
cp node_modules/leaflet/LICENSE "$OUT/LICENSE"
echo "leaflet $(node -p 'require("./node_modules/leaflet/package.json").version') -> $OUT"
