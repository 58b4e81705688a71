"""`kcheck demo` against a live system (gunicorn + RQ worker in processes), as the README runs it."""

from __future__ import annotations

import json
import re
import urllib.request


def test_demo_walks_every_step_and_leaves_the_case_in_the_review_queue(live):
    key = live.api_key("demo")
    result = live.kcheck("demo", "--url", live.url, "--api-key", key,
                         "--outbox", str(live.root / "outbox.jsonl"), timeout=240)
    out = result.stdout
    for step in ("opened case", "consent given", "phone number verified", "country found "
                 "offline: CH", "photos needed: id_front, id_back, selfie", "submitted"):
        assert step in out, out
    # The generated specimen photos pass the real quality check, the selfie's face included.
    for slot in ("id_front", "id_back", "selfie"):
        assert re.search(rf"photo {slot} \(upload 1, \d+ KB\): verdict pass", out), out
    assert "every photo accepted" in out
    case_id = re.search(r"case (\S+) is in the review queue", out).group(1)
    request = urllib.request.Request(f"{live.url}/v1/cases/{case_id}",
                                     headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["status"] == "submitted"


def test_demo_explains_when_no_server_answers(tmp_path):
    from click.testing import CliRunner

    from kcheck.commands.demo import demo
    from tests.servers import free_port

    result = CliRunner().invoke(demo, ["--url", f"http://127.0.0.1:{free_port()}", "--api-key",
                                       "kck_x_y", "--outbox", str(tmp_path / "outbox.jsonl")])
    assert result.exit_code == 1
    assert "cannot reach kcheck" in result.output and "make run" in result.output
