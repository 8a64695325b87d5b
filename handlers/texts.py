"""What the villager reads. Short sentences, plain words: many read on small phones or
have the text read to them."""

WELCOME = (
    "欢迎关注村声！有什么困难、问题或者心愿，直接发文字或语音告诉我们，"
    "我们会转给村里对应的工作队，并告诉您编号和办理时限。\n"
    "回复“查询”可以查看办理进度。"
)
WELCOME_WITH_VILLAGE = WELCOME + "\n已为您登记为{village}村民。"
ASK_VILLAGE = "请问您是哪个村的？请回复村名，例如：{example}"
ASK_VILLAGE_AGAIN = "没有找到这个村。请回复您所在的村名，例如：{example}"
CONFIRM_VILLAGE = "您是{village}的村民吗？回复“是”确认，回复“不是”重新选择。"
CHOOSE_VILLAGE = "找到几个相近的村，请回复序号：\n{options}"
VILLAGE_SET = "好的，已登记您为{village}村民。"
VILLAGE_SET_NEXT = VILLAGE_SET + "有什么问题请直接告诉我们。"

CREATED = (
    "已受理，编号 {number}。\n由{village}{team}办理，{due}前办结。{dup_note}"
    "\n回复“查询”可查看进度。"
)
DUPLICATE_NOTE = "\n已有村民反映过同样的问题（{root}），会一并办理，结果会告诉您。"
CREATED_URGENT = (
    "紧急情况已收到，编号 {number}！已通知{village}{team}和村书记，{due}前处理。"
    "\n如有生命危险请立即拨打 120（急救）、119（火警）或 110（报警）。"
)
CREATED_REVIEW = (
    "已收到，编号 {number}。工作人员会在{due}前确认由哪个工作队办理，然后告诉您。"
    "\n回复“查询”可查看进度。"
)
CREATED_VOICE_REVIEW = (
    "已收到您的语音，编号 {number}。工作人员会尽快听取并安排办理。"
    "\n回复“查询”可查看进度。"
)
CREATED_NON_CHINESE = (
    "已收到，编号 {number}。工作人员会尽快查看并联系您。"
    "\n如方便，也可以用汉语文字或语音再说一遍。"
)
WISH_CREATED = (
    "您的微心愿已收到，编号 {number}。村里审核后会发布到心愿墙，"
    "由党员或结对单位认领，结果会告诉您。"
)
FAQ_FOOTER = "（如果这没有解决您的问题，请直接说明遇到的困难，我们会登记办理。）"
NO_OPEN = "您目前没有正在办理的事项。有问题请直接告诉我们。"
OPEN_LIST_HEAD = "您正在办理的事项："
OPEN_LIST_ITEM = "{i}. {number}｜{team}｜{status}\n   {summary}"
GREETING = "您好！有什么问题或心愿，请直接用文字或语音告诉我们。回复“查询”可查看进度。"
THANKS = "不客气！有事随时找我们。"
CANCEL_HOW = "如需撤销，请回复“撤销”加编号，例如：撤销 {example}"
EMPTY = "没有收到文字内容。请用文字或语音告诉我们您遇到的问题。"
# a short message with no problem in it (嗯, 好, ok, 1, 123456): no request, just how it works
SHORT_HELP = (
    "有什么问题或心愿，请直接用汉字或语音告诉我们，例如：路灯坏了。我们会登记并告诉您编号。"
    "\n回复“查询”可查看办理进度。"
)
# the villager quotes one of their own requests
REQUEST_STATUS = "{number}｜{team}｜{status}\n   {summary}\n   {created} 登记"
QUERY_NOT_FOUND = "没有找到您名下编号为 {number} 的在办事项，请核对编号。回复“查询”可查看您正在办理的全部事项。"
UNSUPPORTED = "暂时只能处理文字、语音、图片、位置和链接，请换一种方式告诉我们。"
NO_IMAGE = "没有收到图片，请重新发送。"
NO_LOCATION = "没有收到位置，请重新发送位置。"
ATTACHED_IMAGE = "照片已添加到 {number}，谢谢！"
ATTACHED_LOCATION = "位置已添加到 {number}，谢谢！"
ATTACHED_LINK = "链接已添加到 {number}，谢谢！"
ASK_WHICH = "请问这条{what}是哪件事的？请回复序号：\n{options}\n或直接用文字说明新问题。"
ASK_WHICH_AGAIN = "没有这个序号。请回复 1 到 {count} 的序号，说明这条{what}是哪件事的，或直接用文字说明新问题。"
KEEP_UNTIL_TEXT = "{what}已收到。请再用文字或语音说一下遇到了什么问题，我们会一起登记。"
MENU_WISH = "请这样发送您的心愿：微心愿：想要一个……（写清楚需要什么、给谁）"
MENU_UNKNOWN = "这个功能还在准备中。有问题请直接用文字或语音告诉我们。"
HELP = (
    "使用方法：\n1. 直接发文字或语音说问题，我们会登记并告诉您编号；\n"
    "2. 可以补充照片和位置；\n3. 回复“查询”看进度；\n4. 发“微心愿：……”提交心愿。"
)
WHAT = {"image": "照片", "location": "位置", "link": "链接"}
YES = {"是", "是的", "对", "对的", "确认", "嗯", "好", "好的", "没错", "yes", "y", "1"}
NO = {"不是", "不对", "否", "错了", "no", "n"}

# ---- cadres ---------------------------------------------------------------------------
BOUND = "绑定成功：{name}（{role}）。新的诉求会通过微信通知您。回复“我的任务”查看待办。"
BIND_BAD = "绑定码无效或已过期，请向管理员重新获取。"
UNBOUND = "已解除绑定，您将不再收到任务通知。"
NOT_CADRE = "您还没有绑定干部身份。请向管理员获取绑定码，回复“绑定 123456”。"
NOT_FOUND = "没有找到编号为 {number} 的诉求，请核对编号。"
AMBIGUOUS = "有几件诉求的编号都以 {number} 结尾，请回复完整编号：\n{options}"
NO_PERMISSION = "{number} 不在您负责的范围内，无法操作。"
ACCEPTED = "已签收 {number}，请在{due}前办结。办结后回复：办结 {short} 办理结果"
ALREADY_ACCEPTED = "{number} 已经签收过了。"
WRONG_STATE = "{number} 当前状态为“{status}”，不能{action}。"
PROGRESS_NOTED = "已记录 {number} 的进展。"
RESOLVED = "已办结 {number}。一小时内在公众号对话里发的现场照片（可多张）会作为办结凭证。"
PROOF_ATTACHED = "办结照片已添加到 {number}。"
RETURNED = "已退回 {number}，村里会重新分派。"
NEED_TEXT = "请在编号后空一格写上{what}，例如：{example}"
# a message that starts with a command word but cannot be read
CADRE_HELP = "没有看懂这条指令。请这样写，编号和内容之间空一格：\n{usage}{tasks}"
CADRE_USAGE = {
    "accept": "签收 12",
    "progress": "进展 12 已联系电工明天来修",
    "resolve": "办结 12 路灯已修好（办理结果会转告群众）",
    "return": "退回 12 这是产业队的事",
    "tasks": "我的任务",
}
CADRE_HELP_TASKS = "\n您的待办编号：{numbers}"
NO_TASKS = "您目前没有待办的诉求。"
TASKS_HEAD = "您的待办（超时的在前）："
TASK_ITEM = "{i}. {number}｜{village}｜{status}{overdue}\n   {summary}\n   时限 {due}"

# ---- villagers: hearing back --------------------------------------------------------------
V_ACCEPTED = "您反映的问题（{number}）已由{team}签收，正在办理，{due}前办结。"
V_RESOLVED = "您反映的问题（{number}）已办结：{resolution}\n过一天我们会回访，问问您是否满意。"
V_SURVEY = ("回访：您反映的问题（{number}）已办结。问题解决了吗？请回复 1-5 打分"
            "（5 非常满意，1 非常不满意），也可以回复“满意”或“不满意”。")
V_THANKS_RATING = "谢谢您的评价！{number} 已销号。"
V_REOPENED = "抱歉没有办好。{number} 已重新交给{team}办理，并提级督办。"
V_CANCELLED = "已撤销 {number}。"
V_CANCEL_NOT_YOURS = "没有找到您名下编号为 {number} 的在办诉求。"
V_SURVEY_AGAIN = ("请问 {number} 的问题解决了吗？请回复 1-5 打分，或回复“满意”“不满意”。"
                  "如果是新的问题，请详细说一说。")
V_NEXT_SURVEY = "\n还有 {number} 等您评价：问题解决了吗？请回复 1-5，或“满意”“不满意”。"
V_ALREADY_RATED = "已收到您的评价（{number}），谢谢！如果问题又出现了，请直接说明情况，我们重新登记。"
V_SURVEY_OVER = "这次回访已经结束，谢谢您。"  # the H5 rating page says the same
# whole answers to the 回访 question
RATING_WORDS_GOOD = {"满意", "非常满意", "很满意", "好", "是", "是的", "对", "对的", "解决了", "已解决"}
RATING_WORDS_BAD = {"不满意", "很不满意", "非常不满意", "没解决", "没有解决", "不好", "没有", "没", "不是", "否"}
# cues inside a short free-text answer; a negative cue wins over a positive one
RATING_CUES_BAD = ("没解决", "没有解决", "未解决", "没修好", "没有修好", "没弄好", "没办好", "没处理", "还没", "还是",
                   "不行", "不满意", "没人来", "没有人来", "没人管", "不好", "没用", "根本")
RATING_CUES_SO_SO = ("一般", "还行", "凑合", "马马虎虎", "基本满意", "差不多")  # a 3: neither
RATING_CUES_GOOD = ("解决了", "已解决", "好了", "满意", "不错", "谢谢", "感谢", "挺好", "很好", "可以", "修好")

# ---- the micro-wish board (微心愿) ----------------------------------------------------------
WISH_NOT_CLAIMER = "认领微心愿需要先绑定党员或结对单位的微信。请联系村党支部书记获取绑定码，回复“绑定 六位数字”。"
WISH_NOT_FOUND = "没有找到编号为 {number} 的微心愿。可以在心愿墙上查看：{url}"
WISH_NOT_OPEN = "微心愿 {number} 目前{status}，不能认领。心愿墙上还有其他心愿：{url}"
WISH_CLAIMED = ("认领成功！微心愿 {number}：{text}\n请在 {due} 前完成，{contact}\n"
                "完成后发送“完成心愿 {short}”，再发一张送达照片。如需放弃，发送“放弃认领 {short}”。")
WISH_CONTACT = "送达事宜请联系{village}村党支部书记{name}{phone}。"
WISH_TAKEN = "抱歉，微心愿 {number} 刚刚已被{claimer}认领了，谢谢您的热心！心愿墙上还有其他心愿：{url}"
WISH_ALREADY_YOURS = "微心愿 {number} 已经由您认领，请在 {due} 前完成。"
WISH_NOT_YOURS = "微心愿 {number} 不是您认领的。"
WISH_WITHDRAWN = "已放弃认领 {number}，心愿已回到心愿墙，等待其他人认领。"
WISH_SEND_PHOTO = "好的。请发一张微心愿 {number} 的送达照片作为凭证，收到照片后就算完成。"
WISH_FULFILLED = "谢谢您！微心愿 {number} 已完成，我们会请村民确认。"
WISH_NEED_PHOTO = "完成心愿需要一张送达照片，请在页面上选择照片后再提交。"
# to the villager
V_WISH_APPROVED = "您的微心愿（{number}）已通过审核，发布到了心愿墙，有人认领后会告诉您。"
V_WISH_DECLINED = "您的微心愿（{number}）这次没有通过审核，原因：{reason}\n如有疑问可以联系村里。"
V_WISH_CLAIMED = "好消息！您的微心愿（{number}）已被{claimer}认领，会在{due}前送到。"
V_WISH_RELEASED = "您的微心愿（{number}）原认领人没能按时完成，已重新发布到心愿墙，等待其他人认领。"
V_WISH_FULFILLED = ("您的微心愿（{number}）已由{claimer}送达。收到了吗？请回复“收到”确认；"
                    "也可以回复“感谢”加上想说的话，我们会转告{claimer}。")
V_WISH_CONFIRMED = "谢谢您的确认！微心愿 {number} 已圆满完成。"
V_WISH_THANKS_SENT = "谢谢您的确认，您的感谢已转告{claimer}！微心愿 {number} 已圆满完成。"
# to the claimer
C_WISH_REMINDER = "您认领的微心愿 {number}（{text}）请在 {due} 前完成，完成后发送“完成心愿 {short}”并附照片。"
C_WISH_RELEASED = "您认领的微心愿 {number} 已超过完成时限，已重新发布到心愿墙。谢谢您的关心！"
C_WISH_THANKS = "微心愿 {number} 的村民向您致谢：{thanks}"
C_WISH_CONFIRMED = "微心愿 {number} 的村民已确认收到，谢谢您！"

# ---- the dialog acts (docs/dialog.md) -------------------------------------------------------
THANKS_FOR = "不客气！{number}（{summary}）能办好，我们也高兴。以后有事随时找我们。"
TIME_LEFT_DAYS = "剩余 {n} 天"
TIME_LEFT_HOURS = "剩余 {n} 小时"
TIME_LEFT_MINUTES = "剩余 {n} 分钟"
OVERDUE_DAYS = "已超时 {n} 天"
OVERDUE_HOURS = "已超时 {n} 小时"
OVERDUE_MINUTES = "已超时 {n} 分钟"
CHASED = "已帮您催办 {number}（{summary}）。\n现在{status}，由{team}办理，{left}。"
CHASED_AGAIN_NOTE = "\n几小时内已经提醒过工作队，这次的催办也已记下。"
ASK_WHICH_MATTER = "请问您说的是哪一件？请回复序号：\n{options}\n如果是新的问题，请直接说一说是什么事。"
ASK_WHAT = "请问是什么事？请具体说一说遇到了什么问题、在哪里，我们马上登记。"
RECENT_LIST_HEAD = "您目前没有正在办理的事项。最近办结的："
ASK_WHAT_FINISHED = ("您最近的 {number}（{summary}）已经办结。如果问题还在或又出现了，请具体说一说情况，"
                     "我们重新登记。")
SUPPLEMENTED = "已把您补充的内容加到 {number}（{summary}），并告诉了{team}。"
ANSWERED = "收到，已把您的回复转给{asker}（{number}｜{summary}）。"
CREATED_SEVERAL = "收到，您说了 {count} 件事，已分别登记：\n{several}\n回复“查询”可查看进度。"
SEVERAL_ITEM = "{i}. {number}｜{team}｜{summary}"
DEADLINE_LINE = "   时限 {due}，{left}"

# ---- outbound (names the request) ------------------------------------------------------------
# Every message to a villager about a request names it: {about} is the number and a few words of
# the problem, e.g. "GC-2026-000123（路灯坏了好几盏…）" (bot.services.notify.about).
ABOUT = "{number}（{summary}）"
V_ACCEPTED_ABOUT = "您反映的问题 {about} 已由{team}签收，正在办理，{due}前办结。"
V_PROGRESS = "您反映的问题 {about} 有新进展：\n{progress}\n（{team}）"
V_RESOLVED_ABOUT = "您反映的问题 {about} 已办结：{resolution}\n过一天我们会回访，问问您是否满意。"
V_SURVEY_ABOUT = ("回访：您反映的问题 {about} 已办结。问题解决了吗？请回复 1-5 打分"
                  "（5 非常满意，1 非常不满意），也可以回复“满意”或“不满意”。")
V_THANKS_RATING_ABOUT = "谢谢您的评价！{about} 已销号。"
V_REOPENED_ABOUT = "抱歉没有办好。{about} 已重新交给{team}办理，并提级督办。"
V_NEXT_SURVEY_ABOUT = "\n还有 {about} 等您评价：问题解决了吗？请回复 1-5，或“满意”“不满意”。"
V_CANCELLED_ABOUT = "已撤销 {about}。"
V_REROUTED_ABOUT = "您反映的问题 {about} 已转交给{team}办理，{due}前办结。"
V_MERGED_ABOUT = "您反映的问题 {about} 与{root}是同一件事，已合并由{team}一并办理，办结后会告诉您。"
V_CLOSED_ABOUT = "您反映的问题 {about} 已销号：{reason}"
V_ADMIN_MESSAGE = "关于您反映的问题 {about}，{by}留言：\n{text}\n如需答复，{days} 天内直接回复这条消息就行。"
ADMIN_MESSAGE_BY = "{village}{role}{name}"
# the template message outside WeChat's 48-hour window: a few words of the problem, then the news
TEMPLATE_ABOUT = "{summary}：{remark}"
V_WISH_APPROVED_ABOUT = "您的微心愿 {about} 已通过审核，发布到了心愿墙，有人认领后会告诉您。"
V_WISH_DECLINED_ABOUT = "您的微心愿 {about} 这次没有通过审核，原因：{reason}\n如有疑问可以联系村里。"
V_WISH_CLAIMED_ABOUT = "好消息！您的微心愿 {about} 已被{claimer}认领，会在{due}前送到。"
V_WISH_RELEASED_ABOUT = "您的微心愿 {about} 原认领人没能按时完成，已重新发布到心愿墙，等待其他人认领。"
V_WISH_FULFILLED_ABOUT = ("您的微心愿 {about} 已由{claimer}送达。收到了吗？请回复“收到”确认；"
                          "也可以回复“感谢”加上想说的话，我们会转告{claimer}。")
# the console refuses
MESSAGE_UNSUBSCRIBED = "这位村民已取消关注公众号，消息发不出去。请电话联系。"
