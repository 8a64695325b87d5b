"""config/faq.yaml and nlp.FaqIndex: questions answered at once, problems never."""
from __future__ import annotations

import csv

import pytest
import yaml

import nlp
from nlp import paths
from nlp.faq import MAX_ANSWER_CHARS, FaqError, FaqIndex, is_problem_report


@pytest.fixture(scope="module")
def faq() -> FaqIndex:
    return nlp.FaqIndex.from_yaml(paths.FAQ)


def test_the_faq_file_is_complete(faq):
    entries = yaml.safe_load(paths.FAQ.read_text(encoding="utf-8"))["faq"]
    assert len(entries) >= 30 and len(faq) == len(entries)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert len(e["questions"]) >= 3, e["id"]
        assert e["keywords"], e["id"]
        assert 0 < len(e["answer"]) <= MAX_ANSWER_CHARS, e["id"]
    # the topics the villagers ask about most
    for topic in ["medical_insurance_payment", "dibao_application", "pension_payment", "disability_certificate",
                  "service_center_hours", "grassland_compensation", "farmland_subsidy",
                  "dangerous_house_renovation", "temporary_assistance", "education_aid", "yulu_plan",
                  "animal_vaccination", "id_card", "hukou", "medical_reimbursement", "electricity_bill",
                  "water_bill", "hotline_12345"]:
        assert topic in ids


def test_every_question_in_the_file_finds_its_own_entry(faq):
    for entry in faq.entries:
        for q in entry.questions:
            found = faq.match(q)
            assert found is not None and found.id == entry.id, (q, found)


@pytest.mark.parametrize("text, expected", [
    ("低保怎么申请", "dibao_application"),
    ("请问地保在哪里申请", "dibao_application"),
    ("你好，请问低保怎么申请", "dibao_application"),
    ("医保每年几月份交啊", "medical_insurance_payment"),
    ("我想问一下残疾证怎么办", "disability_certificate"),
    ("草原补奖啥时候发", "grassland_compensation"),
    ("耕地补贴一亩多少钱", "farmland_subsidy"),
    ("危房改造咋申请", "dangerous_house_renovation"),
    ("孩子上大学有啥资助", "education_aid"),
    ("羊啥时候打防疫针", "animal_vaccination"),
    ("身份证丢了咋补", "id_card"),
    ("电费在手机上怎么交", "electricity_bill"),
    ("住院报销要带什么材料", "medical_reimbursement"),
    ("临时救助需要什么材料", "temporary_assistance"),
    ("便民服务中心几点上班？", "service_center_hours"),
    ("医保缴费时间", "medical_insurance_payment"),
])
def test_questions_in_other_words_are_answered(faq, text, expected):
    found = faq.match(text)
    assert found is not None and found.id == expected, found
    assert found.answer and 0 < found.score <= 1


@pytest.mark.parametrize("text", [
    "我家低保被停了",
    "我的低保为什么没了",
    "医保报销的钱怎么还没到",
    "草原补奖今年还没发",
    "残疾证办了半年了还没下来",
    "残疾证办了吗",
    "低保评的不公平",
    "危房改造的钱被村干部扣了",
    "我想申请低保，但是村里不给办",
    "有人说交五百块钱就能办低保",
    "我是五保户，房子漏雨住不了了，能不能帮忙修一下",
    "村口水管爆了",
    "电费太贵了",
    "书屋几点开门",
    "收到诈骗电话",
    "",
    "🙂🙂🙂",
    "hello how do I apply",
    "低保" * 200,
])
def test_problem_reports_and_noise_are_not_answered(faq, text):
    assert faq.match(text) is None


def test_problem_reports_of_the_seed_corpus_are_rarely_answered(faq):
    """The seed corpus is problems and wishes plus some how-to questions: the FAQ
    may answer the latter, never more than a small share, and never a wish."""
    with open(paths.SEED_CORPUS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fired = [(r["text"], r["label"]) for r in rows if faq.match(r["text"])]
    assert len(fired) <= 0.05 * len(rows), fired
    assert not [t for t, label in fired if label == "wish"]


def test_is_problem_report():
    assert is_problem_report("我家低保被停了")
    assert not is_problem_report("低保怎么申请")


def test_bad_files_are_refused_with_a_reason(tmp_path):
    bad = tmp_path / "faq.yaml"
    bad.write_text("faq: []\n", encoding="utf-8")
    with pytest.raises(FaqError, match="faq"):
        FaqIndex.from_yaml(bad)
    bad.write_text("faq:\n  - id: a\n    questions: [x怎么办]\n    answer: " + "长" * 301 + "\n    keywords: [x]\n",
                   encoding="utf-8")
    with pytest.raises(FaqError, match="300"):
        FaqIndex.from_yaml(bad)
    with pytest.raises(FaqError):
        FaqIndex.from_yaml(tmp_path / "missing.yaml")


def test_router_with_an_faq_index_gives_intent_faq(trained, faq):
    from nlp.classifier import router_from_dir

    path, _ = trained
    plain = router_from_dir(path)
    with_faq = router_from_dir(path, faq=faq)
    q = with_faq.classify("低保怎么申请")
    assert q.intent == "faq" and q.faq_id == "dibao_application" and q.faq_answer
    assert q.label == "welfare"  # still classified, for the record
    assert plain.classify("低保怎么申请").intent == "problem"
    p = with_faq.classify("我家低保被停了")
    assert p.intent == "problem" and p.faq_id is None
    assert with_faq.classify("微心愿：想要一个书包").intent == "wish"
    assert with_faq.classify("谢谢").intent == "thanks"
    assert [c.intent for c in with_faq.classify_many(["低保怎么申请", "我家低保被停了"])] == ["faq", "problem"]
