"""Synthetic long, multi-label texts (like a county's export of past requests).

``python -m tests.unit.nlp.long_texts OUT.csv [ROWS]`` writes a CSV for timing the
pipeline at full size (docs/nlp.md); the tests use a small one.
"""
from __future__ import annotations

import csv
import random
import sys

LABELS = {
    "城建": "道路 路灯 下水道 井盖 施工 拆迁 违建 围挡 人行道 小区 物业 电梯".split(),
    "环保": "噪音 油烟 污水 排放 异味 垃圾站 扬尘 焚烧 河道 黑臭 化工厂 废气".split(),
    "交通": "公交 站台 红绿灯 停车 堵车 出租车 班车 线路 斑马线 超载 货车 高速".split(),
    "教育": "学校 老师 学费 入学 学位 食堂 校车 补课 幼儿园 校服 作业 转学".split(),
    "医疗": "医院 挂号 医生 药费 门诊 住院 医保 报销 体检 急诊 护士 疫苗".split(),
    "劳动": "工资 欠薪 合同 加班 社保 工伤 辞退 招聘 公积金 培训 劳务 包工头".split(),
    "商贸": "超市 价格 假货 退款 商家 发票 质量 外卖 网购 消费者 商场 缺斤少两".split(),
}
FILLER = ("我是本市的居民 这个情况已经持续很长时间了 希望有关部门能够重视 之前也反映过 但是一直没有结果 "
          "周围的群众意见都很大 给大家的生活带来了很大不便 请尽快派人来看一看 具体地址在我们小区附近 "
          "谢谢领导在百忙之中抽空处理 我们都是普通老百姓 真心希望问题早日解决 特此反映 恳请回复").split()


def make_rows(per_label: int, min_chars: int = 500, max_chars: int = 900, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    names = list(LABELS)
    rows = []
    for i in range(per_label):
        for label in names:
            target = rng.randint(min_chars, max_chars)
            parts: list[str] = []
            size = 0
            while size < target:
                roll = rng.random()
                if roll < 0.25:
                    word = rng.choice(LABELS[label])
                    piece = f"关于{word}的问题{rng.choice(FILLER)}"
                elif roll < 0.33:  # other labels' words: noise
                    word = rng.choice(LABELS[rng.choice(names)])
                    piece = f"还有{word}{rng.choice(FILLER)}"
                else:
                    piece = rng.choice(FILLER)
                parts.append(piece)
                size += len(piece) + 1
            rows.append(("，".join(parts)[:target] + "。", label))
    rng.shuffle(rows)
    return rows


def write_csv(path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


if __name__ == "__main__":
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
    write_csv(out, make_rows(max(1, total // len(LABELS)), 500, 2000))
