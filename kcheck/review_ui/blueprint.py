"""The review UI's blueprint, in a module of its own so that its pages can import it without
importing the package that registers them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates",
               static_folder="static", static_url_path="/static")
