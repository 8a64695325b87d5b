"""jieba, set up once per process for villagers' messages.

* a domain user dictionary (``data/userdict.txt``: pastoral terms, programme
  names, townships and villages of the demo county);
* a normalisation map (``data/synonyms.txt``) applied to the raw text before
  cutting, for homophone typos and spoken variants (地保 -> 低保);
* stop words (``data/stopwords.txt``) and punctuation are dropped.

``tokenize`` is a module-level function so scikit-learn pipelines that use it
can be pickled. Initialisation is lazy and guarded by a lock; call
``initialize()`` before forking workers so children share the loaded
dictionary (see PITFALLS.md).
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

from . import paths

jieba.setLogLevel(logging.WARNING)

_lock = threading.RLock()
USER_WORD_FREQ = 20000  # add_words' frequency: a place name beats the words it contains
_ready = False
_synonyms: list[tuple[str, str]] = []
_synonym_re: re.Pattern[str] | None = None
_synonym_map: dict[str, str] = {}
_stopwords: frozenset[str] = frozenset()

_SPACE_RE = re.compile(r"\s+")
#: bumped whenever add_words changes jieba's dictionary: caches of anything
#: derived from tokens (``nlp.similarity``, ``nlp.faq``) compare it to know
#: that they are stale
_generation = 0


def _read_lines(path) -> list[str]:
    lines = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def _load_synonyms() -> None:
    global _synonyms, _synonym_re, _synonym_map
    pairs: dict[str, str] = {}
    for line in _read_lines(paths.SYNONYMS):
        parts = [p.strip() for p in re.split(r"\s*(?:->|=>|\t|,)\s*", line) if p.strip()]
        if len(parts) >= 2 and parts[0] != parts[1]:
            pairs[parts[0]] = parts[1]
    _synonyms = sorted(pairs.items(), key=lambda kv: -len(kv[0]))
    _synonym_map = dict(_synonyms)
    if _synonyms:
        _synonym_re = re.compile("|".join(re.escape(src) for src, _ in _synonyms))
    else:
        _synonym_re = None


def initialize() -> None:
    """Load jieba's dictionary, our user dictionary, synonyms and stop words.

    Safe to call many times and from many threads; only the first call works.
    """
    global _ready, _stopwords
    if _ready:
        return
    with _lock:
        if _ready:
            return
        cache_dir = paths.jieba_dir()
        jieba.dt.tmp_dir = str(cache_dir)
        jieba.initialize()  # reads <var>/jieba/jieba.cache, or writes it the first time
        _share_cache(cache_dir)
        with open(paths.USER_DICT, "rb") as fh:  # a path would leak the file handle
            jieba.load_userdict(fh)
        _load_synonyms()
        _stopwords = frozenset(_read_lines(paths.STOPWORDS))
        _ready = True


def _share_cache(cache_dir) -> None:
    """jieba writes its cache file readable by its owner only (mkstemp): make it readable
    by the app's other users too (a web server running as another user would otherwise
    rebuild the dictionary, ~2 s, at every start)."""
    try:
        for path in cache_dir.glob("jieba*.cache"):
            if path.stat().st_mode & 0o044 != 0o044:
                path.chmod(0o644)
    except OSError:  # not ours to change: it still works for its owner
        pass


def add_words(words: Iterable[str]) -> int:
    """Teach jieba extra words at run time (e.g. the county's place names).

    Per process: call it at start-up in every process or before forking.
    Words jieba already knows with at least our frequency are skipped, so
    calling it again with the same names (the app does, every minute) changes
    nothing: each ``jieba.add_word`` also adds to jieba's total frequency, so
    re-adding the same words would slowly shift how every message is cut.
    Returns how many words were added; when any were, the token cache is
    cleared and ``generation()`` changes.
    """
    global _generation
    initialize()
    added = 0
    with _lock:
        freq = jieba.dt.FREQ
        for word in words:
            word = (word or "").strip() if isinstance(word, str) else ""
            if word and not _SPACE_RE.search(word) and (freq.get(word) or 0) < USER_WORD_FREQ:
                jieba.add_word(word, freq=USER_WORD_FREQ)
                added += 1
        if added:
            _generation += 1  # first: a cut that started before is then never stored (remember_tokens)
            _cache.clear()
    return added


def generation() -> int:
    """A number that changes whenever ``add_words`` changed the dictionary."""
    return _generation


def normalize(text: str) -> str:
    """NFKC, collapse spaces, and replace typos/variants with the canonical word.

    Module-level and picklable: also the char n-gram vectoriser's preprocessor.
    """
    if not text:
        return ""
    initialize()
    text = unicodedata.normalize("NFKC", str(text))
    text = _SPACE_RE.sub(" ", text).strip()
    if _synonym_re is not None:
        text = _synonym_re.sub(lambda m: _synonym_map[m.group(0)], text)
    return text


def _is_content(token: str) -> bool:
    for ch in token:
        cat = unicodedata.category(ch)
        if cat[0] in "LN":
            return True
    return False


_CACHE_SIZE = 1024
_cache: dict[str, tuple[str, ...]] = {}


def cut_normalized(text: str) -> list[str]:
    """``tokenize`` of text that is already normalised: jieba, then the filters."""
    stopwords = _stopwords
    return [
        tok
        for tok in jieba.lcut(text)
        if tok not in stopwords and tok.strip() and _is_content(tok)
    ]


def cached_tokens(key: str) -> list[str] | None:
    """``tokenize(key)`` if it is in the cache, else None (nothing is computed)."""
    cached = _cache.get(key)
    return None if cached is None else list(cached)


def remember_tokens(key: str, tokens: list[str], cut_at: int | None = None) -> None:
    """Put ``tokenize(key) == tokens`` in the cache (for whoever cuts the same text next).
    ``cut_at``: ``generation()`` read before cutting; when ``add_words`` has changed the
    dictionary since, these tokens are of the old dictionary and are not kept."""
    if cut_at is not None and cut_at != _generation:
        return
    if len(key) <= 2000:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = tuple(tokens)


def tokenize(text: str) -> list[str]:
    """Cut a message into normalised content words (no stop words/punctuation).

    The last few results are remembered: classifying a message, matching it
    against the FAQ and looking for duplicates of it cut the same text once.
    """
    cached = _cache.get(text) if isinstance(text, str) else None
    if cached is not None:
        return list(cached)
    key = text
    cut_at = _generation
    text = normalize(text)
    if not text:
        return []
    tokens = cut_normalized(text)
    if isinstance(key, str):
        remember_tokens(key, tokens, cut_at)
    return tokens
