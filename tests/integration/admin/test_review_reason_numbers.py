"""The review queue says why a request waits, with the numbers: the confidence and the review
threshold it was compared with (REVIEW_THRESHOLD, or the serving model's, chosen from its
reliability curve)."""
import re

from sqlalchemy import select

import nlp
from bot.models import RequestEvent
from tests.support.admin import login, new_request
from tests.support.records import request_by_number as _req


def _review_event(res, req) -> dict:
    with res.db.session() as s:
        ev = s.scalar(select(RequestEvent).where(RequestEvent.request_id == req.id,
                                                 RequestEvent.kind == "needs_review"))
        return dict(ev.data) if ev is not None else {}


def test_low_confidence_shows_the_confidence_and_the_threshold(client, wx, res, monkeypatch):
    monkeypatch.setattr(res.settings, "review_threshold", 0.99)  # REVIEW_THRESHOLD=0.99
    number = new_request(client, wx, 1, "关于草场和路灯和学校")  # three matters: an unsure model
    req = _req(res, number)
    assert req.status == "needs_review" and req.review_reason == "low_confidence"
    data = _review_event(res, req)
    assert data == {"reason": "low_confidence", "confidence": req.confidence, "threshold": 0.99}
    note = f"自动分类把握不大（{req.confidence:.2f}，低于 0.99）"
    login(client, "guoluo")
    html = client.get("/admin/review").get_data(as_text=True)
    assert number in html and note in html, re.findall(r"原因：[^<]*", html)
    page = client.get(f"/admin/requests/{number}").get_data(as_text=True)
    assert "待分派原因：" + note in page
    assert page.count(note) == 2  # the header and the timeline


def test_without_review_threshold_the_models_own_is_used(client, wx, res, monkeypatch):
    monkeypatch.setattr(res.settings, "review_threshold", None)  # REVIEW_THRESHOLD unset
    threshold = nlp.get_router().review_threshold
    number = new_request(client, wx, 1, "关于草场和路灯和学校")  # three matters: an unsure model
    req = _req(res, number)
    if req.status == "needs_review":
        assert _review_event(res, req)["threshold"] == threshold > req.confidence
    else:
        assert req.confidence >= threshold
