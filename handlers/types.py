"""The shapes handlers speak: a normalised incoming message, the context, and the outcome."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Incoming:
    kind: str  # text | voice | image | location | link | event | unknown
    openid: str
    text: str | None = None  # text content, or the voice recognition
    event: str | None = None  # subscribe | unsubscribe | scan | click | location | ...
    event_key: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None
    url: str | None = None
    raw_type: str | None = None

    def to_pending(self) -> dict:
        """What a dialog may keep in state while it asks a question first."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_pending(cls, data: dict) -> "Incoming":
        return cls(**data)


@dataclass(frozen=True)
class OpenRequest:
    number: str
    status_label: str
    team_name: str
    summary: str
    created: str  # short local time, e.g. 11-25 14:03
    age_minutes: float
    text: str = ""  # the villager's words (first 300 characters): what "same matter" is judged on
    kind: str | None = None  # the team's label, "wish", or None (not routed yet)
    status: str = ""
    due: str = ""  # the deadline, short local time
    minutes_left: float | None = None  # to the deadline; negative = overdue; None = no deadline
    finished_minutes: float | None = None  # finished requests: minutes since 办结 / delivery


@dataclass
class Context:
    village: str | None
    state: dict
    open_requests: list[OpenRequest]
    village_names: list[str]
    team_names: dict[str, str]
    classify: Callable[[str], Any]  # nlp Router.classify
    match_village: Callable[[str, list[str]], list[str]]
    review_threshold: float = 0.45
    faq: Callable[[str], Any] | None = None  # text → nlp.FaqMatch (id, answer, score) or None
    # (prefix, year, serial) → the villager's own request with that number in any status
    # (resolved, closed, …), or None: asked only when a quoted number is none of the open ones
    find_request: Callable[[str | None, str | None, int], OpenRequest | None] | None = None
    # requests finished (办结, 销号, wish delivered) in the last days, newest first: thanks after
    # 办结 and late supplements concern them
    recent: list[OpenRequest] = field(default_factory=list)
    language: str = "zh"  # zh | bo: Tibetan replies beside the Chinese ones
    asker: Callable[[int], str] | None = None  # member id → how the villager knows them (村党支部书记 卓玛)


# ---- actions the service carries out in the same transaction ------------------------
@dataclass(frozen=True)
class SetVillage:
    name: str


@dataclass(frozen=True)
class SetState:
    state: dict


@dataclass(frozen=True)
class CreateRequest:
    text: str
    source: str  # text | voice
    classification: Any  # nlp.Classification or None
    review_reason: str | None = None  # why a person must look: low_confidence, voice_unrecognised, ...
    media_id: str | None = None


@dataclass(frozen=True)
class CreateWish:
    text: str
    source: str = "text"
    classification: Any = None


@dataclass(frozen=True)
class Attach:
    kind: str  # image | location | link
    number: str | None  # None: the request created by this same message
    media_id: str | None = None
    url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class Supplement:
    """More about an open request, in the villager's words (a detail, a correction, a place)."""

    number: str
    text: str


@dataclass(frozen=True)
class Chase:
    """催办: the villager presses for an open request."""

    number: str
    text: str


@dataclass(frozen=True)
class Answer:
    """The villager's reply to the question a person asked about a request."""

    number: str
    text: str
    to: int | None  # the member who asked


@dataclass(frozen=True)
class Thanks:
    """Thanks or praise; about a request when one fits (a positive signal on it)."""

    number: str | None
    text: str


@dataclass(frozen=True)
class SetLanguage:
    language: str  # zh | bo


@dataclass(frozen=True)
class SetSubscribed:
    subscribed: bool


@dataclass(frozen=True)
class Rate:
    """The villager answers the 回访. rating 1..5 or None; satisfied None = decide by rating."""

    number: str
    rating: int | None
    satisfied: bool | None
    comment: str = ""  # the villager's own words, when they answered in free text


@dataclass(frozen=True)
class Cancel:
    fragment: str  # the number or its last digits; "" = the only open request


@dataclass
class Outcome:
    """Reply text (may hold {number}, {team}, {due}, {village} filled in after a request is
    created, and {result}: the reply of a Rate or Cancel action) and the actions to carry
    out. An empty reply answers WeChat with 'success'."""

    reply: str
    actions: list = field(default_factory=list)
    act: str = ""  # what the message was taken as (docs/dialog.md): new, chase, thanks, …
