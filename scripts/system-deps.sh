#!/usr/bin/env bash
# Make sure the system libraries casa311 needs are installed.
#   scripts/system-deps.sh spatialite   SpatiaLite for SQLite (the embedded default)
#   scripts/system-deps.sh postgis      PostGIS for the local PostgreSQL server
#   scripts/system-deps.sh chromium     Debian's Chromium, for the public page's browser tests
#   scripts/system-deps.sh wrk          the HTTP load generator of `make bench`
# As root with apt-get, missing Debian packages are installed; otherwise it says what to
# install and fails.
set -euo pipefail

missing=()
for want in "$@"; do
  case "$want" in
    spatialite)
      found=$(compgen -G "/usr/lib/*/mod_spatialite.so" || compgen -G "/usr/*lib/mod_spatialite.so" || true)
      if [ -z "$found" ] && [ -z "${SPATIALITE_LIBRARY_PATH:-}" ]; then
        missing+=(libsqlite3-mod-spatialite)
      fi
      ;;
    postgis)
      if [ -z "$(compgen -G "/usr/share/postgresql/*/extension/postgis.control" || true)" ]; then
        version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
        if [ -z "$version" ]; then
          echo "No local PostgreSQL server found: point DATABASE_URL/TEST_DATABASE_URL at one with PostGIS." >&2
          exit 1
        fi
        missing+=("postgresql-${version}-postgis-3")
      fi
      ;;
    chromium)
      # The browser tests drive /usr/bin/chromium with Playwright (never its own download).
      if ! command -v chromium >/dev/null 2>&1; then
        missing+=(chromium)
      fi
      ;;
    wrk)
      command -v wrk >/dev/null 2>&1 || missing+=(wrk)
      command -v pgbench >/dev/null 2>&1 || missing+=(postgresql-client)
      ;;
    *) echo "unknown dependency: $want" >&2; exit 2 ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (Debian packages)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "casa311 needs these system packages: ${missing[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
