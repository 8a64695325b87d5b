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
    "已受理，编号 {number}。\n由{village}{team}办理，{due}前办结。"
    "\n回复“查询”可查看进度。"
)
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
NO_OPEN = "您目前没有正在办理的事项。有问题请直接告诉我们。"
OPEN_LIST_HEAD = "您正在办理的事项："
OPEN_LIST_ITEM = "{i}. {number}｜{team}｜{status}\n   {summary}"
GREETING = "您好！有什么问题或心愿，请直接用文字或语音告诉我们。回复“查询”可查看进度。"
THANKS = "不客气！有事随时找我们。"
CANCEL_HOW = "如需撤销，请回复“撤销”加编号，例如：撤销 {example}"
EMPTY = "没有收到文字内容。请用文字或语音告诉我们您遇到的问题。"
UNSUPPORTED = "暂时只能处理文字、语音、图片和位置，请换一种方式告诉我们。"
ATTACHED_IMAGE = "照片已添加到 {number}，谢谢！"
ATTACHED_LOCATION = "位置已添加到 {number}，谢谢！"
ATTACHED_LINK = "链接已添加到 {number}，谢谢！"
ASK_WHICH = "请问这条{what}是哪件事的？请回复序号：\n{options}\n或直接用文字说明新问题。"
KEEP_UNTIL_TEXT = "{what}已收到。请再用文字或语音说一下遇到了什么问题，我们会一起登记。"
MENU_WISH = "请这样发送您的心愿：微心愿：想要一个……（写清楚需要什么、给谁）"
MENU_UNKNOWN = "这个功能还在准备中。有问题请直接用文字或语音告诉我们。"
HELP = (
    "使用方法：\n1. 直接发文字或语音说问题，我们会登记并告诉您编号；\n"
    "2. 可以补充照片和位置；\n3. 回复“查询”看进度；\n4. 发“微心愿：……”提交心愿。"
)
TOO_LONG_NOTE = "（内容较长，已完整保存。）"
WHAT = {"image": "照片", "location": "位置", "link": "链接"}
YES = {"是", "是的", "对", "对的", "确认", "嗯", "好", "好的", "没错", "yes", "y", "1"}
NO = {"不是", "不对", "否", "错了", "no", "n"}
