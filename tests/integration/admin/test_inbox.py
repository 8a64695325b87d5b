"""The inbox: filters in the URL, jieba full-text search through the database's index, paging."""
from sqlalchemy import delete, select, text, update

from bot.models import Request, RequestSearch
from bot.services import search
from tests.support.admin import login, new_request


def _numbers(html: str) -> set[str]:
    import re

    return set(re.findall(r">(GC-\d{4}-\d{6})</a>", html))


def test_search_finds_words_not_substrings_and_is_kept_by_the_index(client, wx, res):
    lamp = new_request(client, wx, 1, "村口的路灯坏了晚上看不见")
    water = new_request(client, wx, 2, "自来水管冻裂了家里停水三天")
    with res.db.session() as s:
        rows = dict(s.execute(select(RequestSearch.request_id, RequestSearch.tokens)).all())
        assert len(rows) == 2  # indexed in the intake transaction by the after_flush listener
    login(client, "county")
    assert _numbers(client.get("/admin/?q=路灯").get_data(as_text=True)) == {lamp}
    assert _numbers(client.get("/admin/?q=水管").get_data(as_text=True)) == {water}  # a word inside 自来水管
    assert _numbers(client.get("/admin/?q=路灯 停水").get_data(as_text=True)) == set()  # every word must match
    assert _numbers(client.get(f"/admin/?q={water}").get_data(as_text=True)) == {water}
    assert _numbers(client.get('/admin/?q=") OR (1').get_data(as_text=True)) == set()  # query syntax is escaped


def test_search_uses_the_index_not_a_like_scan(res):
    stmt = search.matching_ids(res.db.dialect, "路灯坏了")
    assert "LIKE" not in str(stmt.compile(dialect=res.db.engine.dialect)).upper()
    with res.db.session() as s:
        if res.db.dialect == "sqlite":
            plan = " ".join(str(r) for r in s.execute(text(
                "EXPLAIN QUERY PLAN SELECT rowid FROM request_search_fts WHERE request_search_fts MATCH '\"路灯\"'")))
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in s.execute(text(
                "EXPLAIN SELECT request_id FROM request_search WHERE string_to_array(tokens, ' ') @> ARRAY['路灯']")))
            assert "ix_request_search_tokens" in plan, plan


def test_deleting_a_request_removes_it_from_the_index(client, wx, res):
    number = new_request(client, wx, 1, "村口的路灯坏了晚上看不见")
    from bot.models import Attachment, InboundMessage, Outbox, RequestEvent

    with res.db.session() as s:
        for model in (Attachment, RequestEvent, Outbox):
            s.execute(delete(model))
        s.execute(update(InboundMessage).values(request_id=None))
        s.execute(delete(Request))
        assert s.scalar(select(RequestSearch.request_id)) is None
        if res.db.dialect == "sqlite":
            hits = s.execute(text(
                "SELECT rowid FROM request_search_fts WHERE request_search_fts MATCH '\"路灯\"'")).all()
            assert hits == []
    assert number


def test_filters_combine_and_stay_in_the_url(client, wx):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "路灯坏了晚上看不见", village="恩乃村")
    login(client, "county")
    html = client.get("/admin/?kind=governance&status=assigned").get_data(as_text=True)
    assert {a, b} <= _numbers(html)
    from bot import ext

    with ext.get().db.session() as s:
        vid = s.scalar(select(Request.village_id).where(Request.number == b))
    html = client.get(f"/admin/?kind=governance&village={vid}").get_data(as_text=True)
    assert _numbers(html) == {b}
    assert f'value="{vid}" selected' in html  # the filter is shown as chosen
    assert _numbers(client.get("/admin/?overdue=1").get_data(as_text=True)) == set()
    assert _numbers(client.get("/admin/?priority=urgent").get_data(as_text=True)) == set()
    assert _numbers(client.get("/admin/?since=2000-01-01&until=2000-01-02").get_data(as_text=True)) == set()
    assert _numbers(client.get("/admin/?sort=old&page=1").get_data(as_text=True)) == {a, b}
    assert client.get("/admin/?page=abc&sort=bogus&since=notadate").status_code == 200


def test_search_by_the_short_request_number(client, wx, res):
    numbers = [new_request(client, wx, i, text) for i, text in
               enumerate(["村口的路灯坏了晚上看不见", "自来水管冻裂了家里停水三天", "羊生病了不吃草",
                          "家门口的路被水冲坏了", "村里的垃圾没人清理"], start=1)]
    fifth = numbers[4]
    assert fifth.endswith("-000005")
    login(client, "county")
    for q in ("5", "000005", "05"):
        assert _numbers(client.get(f"/admin/?q={q}").get_data(as_text=True)) == {fifth}, q
    assert _numbers(client.get("/admin/?q=垃圾").get_data(as_text=True)) == {fifth}  # words still work
    assert _numbers(client.get("/admin/?q=6").get_data(as_text=True)) == set()
