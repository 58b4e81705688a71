"""Review UI for support staff: queue, case page, decisions, audit trail and statistics.

Server-rendered, no inline script or style (the app's CSP forbids both), every page
`no-store`, staff sessions kept on the server.
"""

from __future__ import annotations

from flask import Flask

from kcheck.review_ui.blueprint import bp


def init_app(app: Flask) -> None:
    from kcheck.review_ui import admin, auth, case_page, decide, queue, setup  # noqa: F401

    app.register_blueprint(bp)
