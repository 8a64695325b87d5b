"""Every timeline event the code writes, and every notification it queues, has Chinese words
for the screen (bot/services/timeline.py); an unknown code never shows as itself."""
import re
from pathlib import Path

from bot.services import timeline

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [p for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py")]
# the ways the code writes a RequestEvent: RequestEvent(kind="x"), _event(session, req, "x", …),
# _event(session, m, req, "x", …) and intake's event(req.id, "x", …)
WRITES = [re.compile(r'RequestEvent\([^)]*?kind="([a-z_]+)"', re.S),
          re.compile(r'\b_event\(session, (?:m, )?\w+, "([a-z_]+)"'),
          re.compile(r'\bevent\(\w+(?:\.id|\[0\])?, "([a-z_]+)", "'),
          re.compile(r'"kind": "([a-z_]+)", "actor"')]
WISH_SOURCE = ROOT / "bot" / "services" / "wishes.py"  # its _event writes the wish's own timeline


def _kinds() -> set[str]:
    found = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for rx in WRITES:
            found |= set(rx.findall(text))
    return found


def test_the_scan_finds_the_kinds_it_should():
    kinds = _kinds()
    assert {"created", "progress", "supplement", "chase", "villager_answer", "thanks", "message_sent",
            "duplicate_linked", "notified"} <= kinds


def test_every_event_kind_written_has_words():
    missing = sorted(k for k in _kinds() if k not in timeline.EVENT_LABELS)
    assert not missing


def test_unknown_codes_never_show_as_themselves():
    assert timeline.event_label("some_future_kind") == timeline.OTHER
    assert timeline.notice_label("wish_claimed3") == timeline.NOTICE_LABELS["wish_claimed"]
    assert "x_y" not in timeline.notice_label("x_y") and "x_y" not in timeline.channel_label("x_y")
    assert timeline.attachment_label("voice") == "语音"
