"""Chinese full-text search over requests: jieba tokens, kept in `request_search`, indexed by the
database (SQLite: an FTS5 table fed by triggers; PostgreSQL: a GIN index over the token array).

Indexing: every new Request gets its row in the same transaction, from an after_flush listener
(`bot.models.admin`), whatever code created it. Searching: the query is cut the same way and
every word must occur (AND). A query that looks like a request number matches the number;
digits alone (`5`, `000005`) also match the request numbered …-000005.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Integer, Text, cast, column, func, insert, literal_column, select, text, union, union_all
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.orm import Session

from bot.models.admin import RequestSearch

NUMBER_RE = re.compile(r"^[A-Za-z]{1,8}-\d{4}-\d{1,6}$")
MAX_QUERY_WORDS = 8


def _content(tok: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in tok)


def index_tokens(text_: str) -> str:
    """The words of a text as the index stores them: jieba's search mode (whole words and the
    shorter words inside them), normalised, lower-cased, de-duplicated, space-separated."""
    import jieba

    from nlp import tokenizer

    norm = tokenizer.normalize(text_ or "")
    seen: dict[str, None] = {}
    for tok in jieba.cut_for_search(norm):
        tok = tok.strip().lower()
        if tok and _content(tok) and " " not in tok:
            seen.setdefault(tok, None)
    return " ".join(seen)


def query_words(q: str) -> list[str]:
    """The words a search must find: jieba's precise mode without stop words."""
    from nlp import tokenizer

    words = [w.lower() for w in tokenizer.tokenize(q or "") if w.strip()]
    if not words:  # only stop words: search for them anyway
        words = [w.lower() for w in re.split(r"\s+", tokenizer.normalize(q or "")) if _content(w)]
    out: list[str] = []
    for w in words:
        if w not in out:
            out.append(w)
    return out[:MAX_QUERY_WORDS]


def index_requests(session: Session, requests) -> None:
    insert_tokens(session, [(r.id, index_tokens(r.text)) for r in requests if r.id is not None])


def insert_tokens(session: Session, rows: list[tuple[int, str]]) -> None:
    """Search rows of (request id, index_tokens(text)) computed beforehand."""
    if rows:
        session.connection().execute(insert(RequestSearch.__table__),
                                     [{"request_id": i, "tokens": t} for i, t in rows])


def reindex(session: Session, batch: int = 1000) -> int:
    """Index requests that have no search row (e.g. created before the index existed)."""
    from bot.models import Request

    done = 0
    while True:
        rows = session.execute(
            select(Request.id, Request.text).outerjoin(RequestSearch, RequestSearch.request_id == Request.id)
            .where(RequestSearch.request_id.is_(None)).order_by(Request.id).limit(batch)).all()
        if not rows:
            return done
        session.connection().execute(insert(RequestSearch.__table__),
                                     [{"request_id": i, "tokens": index_tokens(t)} for i, t in rows])
        done += len(rows)


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


SHORT_NUMBER_RE = re.compile(r"^\d{1,6}$")
NUMBER_YEARS = 10  # a short number (5, 000005) matches GC-<year>-000005 of this and the last 9 years


def _short_number_ids(digits: str):
    """Ids of requests numbered <county code>-<year>-<digits, zero-padded>: `number IN (SELECT
    code || '-2026-000005' FROM counties UNION ALL …)` — exact numbers, so the unique index on
    `requests.number` answers it (never a LIKE scan)."""
    from bot.models import County, Request
    from bot.services.clock import utcnow

    this_year = utcnow().year
    candidates = union_all(*[select(County.code.concat(f"-{year}-{int(digits):06d}"))
                             for year in range(this_year - NUMBER_YEARS + 1, this_year + 1)])
    return select(Request.id).where(Request.number.in_(candidates))


def matching_ids(dialect: str, q: str):
    """A SELECT of request ids matching `q`, for `Request.id.in_(...)`; None when q has no words.
    Digits alone (`5`, `000005`) also match the request with that number (GC-2026-000005)."""
    words = query_words(q)
    if not words:
        return None
    if dialect == "sqlite":
        match = " ".join(_fts_phrase(w) for w in words)
        ids = select(column("rowid", Integer)).select_from(text("request_search_fts")).where(
            text("request_search_fts MATCH :match").bindparams(match=match))
    else:
        ids = select(RequestSearch.request_id).where(
            func.string_to_array(RequestSearch.tokens, literal_column("' '")).op("@>")(cast(array(words), ARRAY(Text))))
    if SHORT_NUMBER_RE.match(q.strip()) and int(q.strip()) > 0:
        return union(ids, _short_number_ids(q.strip()))
    return ids
