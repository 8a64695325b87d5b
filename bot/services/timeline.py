"""How a request's timeline and its notifications read on screen (the console's request page
and the cadre's H5 task page): every internal code has Chinese words, and a code nobody
has named yet shows as a neutral word, never as itself."""
from __future__ import annotations

import re

EVENT_LABELS = {
    "created": "受理", "classified": "自动分类", "assigned": "派单", "needs_review": "待人工分派",
    "notified": "已通知", "notify_failed": "通知失败", "attachment": "补充材料", "wish_listed": "列入微心愿",
    "accepted": "签收", "progress": "办理进展", "resolved": "办结", "proof": "办结照片", "closed": "销号",
    "reopened": "重新办理", "rated": "村民评价", "escalated": "超时督办", "reminded": "办理提醒",
    "cancelled": "村民撤销", "note": "备注", "reclassified": "人工改分类", "reassigned": "改派",
    "assignee_set": "指派成员", "priority_changed": "调整优先级", "merged": "合并到其他诉求",
    "duplicate_added": "合并进重复诉求", "duplicate_reported": "其他村民反映同一问题",
    "duplicate_linked": "与其他村民的同一问题一并办理",
    "message_sent": "给村民留言", "returned": "退回待分派", "survey_sent": "发送回访",
    # what the villager sent after the request was made (handlers/acts.py)
    "supplement": "村民补充", "chase": "村民催办", "villager_answer": "村民回复", "thanks": "村民致谢",
    # micro-wishes (bot/services/wishes.py)
    "wish_approved": "心愿审核通过", "wish_declined": "心愿未通过审核", "wish_claimed": "心愿被认领",
    "wish_withdrawn": "放弃认领", "wish_reminded": "提醒认领人", "wish_released": "认领超时释放",
    "wish_fulfilled": "心愿送达", "wish_confirmed": "村民确认收到",
}
# what an Outbox row (a notification) was about
NOTICE_LABELS = {
    "new_task": "新任务", "urgent": "紧急诉求", "review_needed": "待分派", "reminder": "办理提醒",
    "escalation": "超时督办", "reopened": "重新办理", "returned": "退回", "cancelled": "村民撤销",
    "reassigned_away": "已改派", "finished_for_team": "代为办结", "supplement": "村民补充",
    "chase": "村民催办", "villager_answer": "村民回复", "digest": "每日待办", "ranking": "月度排名",
    "binding_lost": "绑定失效", "wish_review": "心愿待审核", "wish_claimed": "心愿被认领",
    "wish_reminder": "心愿提醒", "wish_released": "心愿释放", "wish_thanks": "村民致谢",
    "wish_fulfilled": "心愿送达", "wish_approved": "心愿通过审核", "wish_declined": "心愿未通过",
    # to the villager
    "accepted": "告知村民：已签收", "progress": "告知村民：进展", "resolved": "告知村民：已办结",
    "closed": "告知村民：已销号", "survey": "回访", "rerouted": "告知村民：已转交", "merged": "告知村民：已合并",
    "admin_message": "给村民留言",
}
CHANNEL_LABELS = {"template": "模板消息", "custom": "客服消息", "villager": "公众号消息", "wecom": "企业微信群"}
ATTACHMENT_LABELS = {"image": "照片", "location": "位置", "link": "链接", "voice": "语音"}
OTHER = "其他记录"


def event_label(kind: str | None) -> str:
    return EVENT_LABELS.get(kind or "", OTHER)


def notice_label(event: str | None) -> str:
    """An Outbox event; repeatable ones carry a sequence number (wish_claimed2)."""
    event = event or ""
    return NOTICE_LABELS.get(event) or NOTICE_LABELS.get(re.sub(r"\d+$", "", event), "通知")


def channel_label(channel: str | None) -> str:
    return CHANNEL_LABELS.get(channel or "", "通知")


def attachment_label(kind: str | None) -> str:
    return ATTACHMENT_LABELS.get(kind or "", "材料")


# the event kinds whose data holds words a person wrote (shown under the label)
TEXT_KINDS = ("note", "message_sent", "progress", "supplement", "chase", "villager_answer", "thanks")

TEMPLATE_HELPERS = {"event_label": event_label, "notice_label": notice_label, "channel_label": channel_label,
                    "attachment_label": attachment_label, "text_kinds": TEXT_KINDS}
