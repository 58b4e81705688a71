"""axe-core accessibility scans, injected by Playwright from node_modules (`npm ci` installs the
version pinned in package-lock.json; no CDN). Every scan's findings go to
tests/artifacts/axe/<name>.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}));
}"""


def blocking_violations(page, name: str) -> list[dict]:
    """The serious and critical axe violations of the page as it is now (all are recorded)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make test` runs `npm ci` (package-lock.json)")
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) allows it.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(RUN)
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(found, indent=2))
    return [v for v in found if v["impact"] in BLOCKING]
