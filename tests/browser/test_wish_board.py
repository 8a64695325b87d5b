"""The micro-wish board in Chromium: a unit signs in, claims a wish from the list and fulfils
it with a photo; the screenshot is kept in test-artifacts/."""
import struct
import zlib
from urllib.parse import urlsplit

from tests.support.wishes import UNIT_LOGIN, PASSWORD, add_claimers, remove_claimers, review_url, submit, wish


def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\0" + b"\xb7\x1c\x1c" * 4
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_board_list_claim_fulfil(page, client, wx, res, artifacts):
    add_claimers(res)
    try:
        _, number = submit(client, wx, 31, "微心愿：孙女上学想要一个新书包，我电话13800001111")
        _, other = submit(client, wx, 32, "微心愿：想要一台轮椅", "恩乃村")
        for n, text in ((number, "孙女上学想要一个新书包"), (other, "老人想要一台轮椅")):
            url = urlsplit(review_url(res, n, "guoluo" if n == number else "ennai")).path
            assert client.post(url + "/approve", data={"public_text": text, "category": "study"}).status_code == 303

        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page.goto("/board")
        cards = page.locator(".wish")
        assert cards.count() == 2
        assert "老人想要一台轮椅" in cards.nth(0).inner_text()  # newest first
        body = page.inner_text("body")
        assert "13800001111" not in body and "待认领" in body
        page.select_option("select[name=category]", "study")
        page.click("text=筛选")
        assert page.locator(".wish").count() == 2

        page.click("text=党员/单位登录")
        page.fill("input[name=login]", UNIT_LOGIN)
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('登录')")
        page.locator(f".wish:has-text('孙女上学想要一个新书包') button:has-text('我来认领')").click()
        page.wait_for_selector("text=认领成功")
        assert wish(res, number).status == "claimed"

        page.set_input_files("input[name=photo]", {"name": "proof.png", "mimeType": "image/png",
                                                   "buffer": tiny_png()})
        page.fill("textarea[name=note]", "书包已送到孩子手里")
        page.click("text=已送达，完成心愿")
        page.wait_for_selector("text=已完成")
        assert wish(res, number).status == "fulfilled"
        page.goto("/board")
        assert "县农业农村局 已帮助实现" in page.inner_text("body")
        page.screenshot(path=str(artifacts / "wish-board.png"), full_page=True)
    finally:
        remove_claimers(res)
