"""Review UI for support staff: queue, case page, decisions, audit trail and statistics.

Server-rendered, no inline script or style (the app's CSP forbids both), every page
`no-store`, staff sessions kept on the server.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates",
               static_folder="static", static_url_path="/static")


def init_app(app: Flask) -> None:
    from kcheck.review_ui import admin, auth, case_page, decide, queue, setup  # noqa: F401

    app.register_blueprint(bp)
