"""WeChat's XML fields → handlers' Incoming. Unknown kinds become 'unknown', never an error.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
"""
from __future__ import annotations

from handlers.types import Incoming


class BadMessageError(ValueError):
    """The XML lacks what every WeChat message has."""


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise BadMessageError("nested element where text was expected")
    return str(value)


def to_incoming(d: dict) -> tuple[Incoming, str | None, str | None]:
    if not isinstance(d, dict):
        raise BadMessageError("no <xml> root")
    openid = _str(d.get("FromUserName"))
    msg_type = (_str(d.get("MsgType")) or "").lower()
    if not openid or not msg_type or len(openid) > 64:
        raise BadMessageError("FromUserName and MsgType are required")
    msg_id = _str(d.get("MsgId") or d.get("MsgID"))
    create_time = _str(d.get("CreateTime"))
    if msg_id is not None and (len(msg_id) > 64 or not msg_id.isdigit()):
        raise BadMessageError("bad MsgId")
    if msg_type == "text":
        msg = Incoming("text", openid, text=_str(d.get("Content")) or "", raw_type="text")
    elif msg_type == "voice":
        msg = Incoming("voice", openid, text=_str(d.get("Recognition")), media_id=_str(d.get("MediaId")),
                       raw_type="voice")
    elif msg_type == "image":
        msg = Incoming("image", openid, media_id=_str(d.get("MediaId")), pic_url=_str(d.get("PicUrl")),
                       raw_type="image")
    elif msg_type == "location":
        msg = Incoming("location", openid, latitude=_float(d.get("Location_X")),
                       longitude=_float(d.get("Location_Y")), label=_str(d.get("Label")), raw_type="location")
    elif msg_type == "link":
        msg = Incoming("link", openid, url=_str(d.get("Url")), label=_str(d.get("Title")), raw_type="link")
    elif msg_type == "event":
        event = (_str(d.get("Event")) or "").lower()
        msg = Incoming("event", openid, event=event, event_key=_str(d.get("EventKey")),
                       latitude=_float(d.get("Latitude")), longitude=_float(d.get("Longitude")), raw_type="event")
    else:
        msg = Incoming("unknown", openid, raw_type=msg_type[:32])
    return msg, msg_id, create_time
