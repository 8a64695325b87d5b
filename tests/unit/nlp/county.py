"""A synthetic county history with its own label set (7 municipal classes, 40 rows each),
written for the tests: none of its labels is a village team's."""
from __future__ import annotations

import csv
import random

_CLASSES = {
    "交通": ["公交车总是晚点", "红绿灯坏了不亮", "路口经常堵车", "马路上有个大坑", "公交站的牌子被撞倒了",
             "出租车拒载", "人行道被车占满了", "高架桥下积水过不去车"],
    "环境": ["工地晚上施工噪音太大", "河里有死鱼发臭", "小区垃圾没人清运", "工厂烟囱冒黑烟",
             "餐馆油烟熏得没法开窗", "绿化带的树被砍了", "有人往河里倒污水", "公园里到处是狗屎"],
    "住房": ["楼顶漏水好几个月了", "物业不给修电梯", "墙体开裂怕塌", "拆迁补偿一直没给",
             "房东不退押金", "楼道灯坏了黑乎乎的", "地下室被人占了", "公租房申请一直没消息"],
    "供水": ["家里停水两天了", "自来水发黄有味道", "水压太低楼上没水", "水表走得特别快",
             "小区水管爆了", "热水一直不热", "水费收得太高了", "井盖下面一直冒水"],
    "教育": ["孩子上学划片不合理", "学校乱收补课费", "校车超载", "幼儿园学位不够",
             "老师体罚学生", "学校食堂饭菜不干净", "转学手续办不下来", "学校门口没有减速带"],
    "医疗": ["医院挂号排队太久", "医保报销比例不对", "社区诊所没有药", "医生态度很差",
             "急救车来得太慢", "药店卖过期药", "体检收费不明", "疫苗预约不上"],
    "治安": ["小区里有人偷电动车", "晚上有人打架斗殴", "有人在街上卖假货", "电信诈骗骗走了钱",
             "楼下有人聚众赌博", "家门口被人撬锁", "有人半夜飙车", "商铺被人砸了玻璃"],
}
_PREFIXES = ["", "你好，", "反映一下，", "麻烦处理：", "市民投诉："]
_SUFFIXES = ["", "，希望尽快解决", "，请有关部门管一管", "，已经很久了", "。谢谢"]


def rows(per_label: int = 40, seed: int = 12) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for label, bodies in _CLASSES.items():
        seen: set[str] = set()
        while len(seen) < per_label:
            text = rng.choice(_PREFIXES) + rng.choice(bodies) + rng.choice(_SUFFIXES)
            seen.add(text)
        out += [(t, label) for t in sorted(seen)]
    rng.shuffle(out)
    return out


def write(path, data=None, header=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows() if data is None else data)
    return path
