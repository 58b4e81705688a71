"""The reviewer's decision: approve, reject or request new photos. The first decision wins."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from kcheck.domain.decisions import DecisionInvalid, DecisionRequest
from kcheck.models import Case
from kcheck.review_ui.blueprint import bp
from kcheck.review_ui.case_page import case_context
from kcheck.services import services
from kcheck.usecases import review
from kcheck.usecases.review import CaseNotFound, Conflict


def _request_from_form() -> DecisionRequest:
    form = request.form
    return DecisionRequest(outcome=form.get("outcome", ""),
                           reason_code=form.get("reason_code", ""),
                           note=form.get("note", "").strip(),
                           slots=tuple(form.getlist("slots")),
                           message=form.get("message", "").strip())


@bp.post("/cases/<case_id>/decision")
def decide(case_id: str):
    svc = services()
    wanted = _request_from_form()
    try:
        review.decide(svc, case_id, g.staff.id, wanted, request.form.get("version", ""))
    except CaseNotFound:
        abort(404)
    except Conflict as exc:
        return _refused(svc, case_id, 409, conflict=exc.kind)
    except DecisionInvalid as exc:
        return _refused(svc, case_id, 422, error=exc.field)
    return redirect(url_for("review.queue", notice=wanted.outcome), code=303)


def _refused(svc, case_id: str, status: int, **extra):
    """Show the case again, as it is now, with what went wrong; nothing was recorded."""
    form = {"outcome": request.form.get("outcome"), "reason_code": request.form.get("reason_code"),
            "note": request.form.get("note", ""), "message": request.form.get("message", ""),
            "slots": request.form.getlist("slots")}
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        context = case_context(svc, session, case, svc.now(), form=form, **extra)
    return render_template("review/case.html", **context), status
