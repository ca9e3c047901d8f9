"""What the browser tests share: Debian's headless Chromium driven by Playwright (never
`playwright install`), an app served on a free local port, axe-core from npm, and the
WCAG contrast ratio."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CASA311_CHROMIUM", "/usr/bin/chromium")
# Headless on a machine with no outside network: nothing may try to reach the internet.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe-core, installed by the tests' npm step (tests/emulator/setup.sh, `make emulator`).
AXE = Path(__file__).resolve().parent / "emulator/node_modules/axe-core/axe.min.js"


def require_chromium() -> None:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is needed at {CHROMIUM}: run scripts/system-deps.sh chromium")


@contextmanager
def served(app) -> Iterator[str]:
    """The app served on 127.0.0.1 (a free port) while the block runs; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def axe_violations(page, rules: list[str], absent: tuple[str, ...] = ()) -> list[dict]:
    """Run axe-core inside `page` with only `rules`; the violations it finds (id, help,
    the offending elements). The page's context must bypass CSP to take the script.
    `absent`: rules the page may give nothing to check (`label` on a page whose only
    fields are <select>s, which axe checks with `select-name`)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make emulator` (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", rules
    )
    checked = {r["id"] for r in result["passes"]} | {r["id"] for r in result["violations"]}
    # A rule that matched nothing did not check anything: the page must give each its due.
    assert checked >= set(rules) - set(absent), f"axe checked only {sorted(checked)} of {rules}"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
