"""End-to-end journeys in a real browser (Chromium), in Chinese by default and on a phone-sized screen."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from tests.browser.conftest import SECRET, LiveServer

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
_n = itertools.count()

NEED = ("我们是一家做月饼的小厂。最近按客户要求减糖以后，馅料发硬、口感变差。"
        "希望找到低糖馅料配方，最好能直接量产，也想委托专家用仪器测定口感。")


def register(page: Any, server: LiveServer, role: str, organisation: str = "") -> str:
    email = f"{role}{next(_n)}@example.org"
    page.goto(f"{server.url}/register")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill("a long enough password")
    page.locator("#reg-display_name").fill(f"测试用户{role}")
    if organisation:
        page.locator("#reg-organisation_name").fill(organisation)
    page.get_by_label("身份").select_option(role)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/me$"))
    return email


def assert_fields_labelled(page: Any) -> None:
    for field in page.locator("main input:not([type=hidden]), main select, main textarea").all():
        field_id = field.get_attribute("id")
        assert field_id and page.locator(f"label[for='{field_id}']").count() == 1, f"{field_id} has no label"


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_enterprise_posts_a_need_in_plain_words_and_accepts_a_match(page: Any, live_server: LiveServer) -> None:
    register(page, live_server, "enterprise_member", f"丙月饼厂{next(_n)}（测试）")
    page.goto(f"{live_server.url}/demands/guided")
    page.get_by_label("您遇到的问题").fill(NEED)
    page.get_by_role("button", name="生成建议").click()
    page.wait_for_selector("#g-title")
    assert page.locator("#g-title").input_value().startswith("希望找到低糖馅料配方")
    assert page.locator("#g-field").input_value() == "F09"
    assert page.locator("#g-stage").input_value() == "mass_production"
    assert page.locator("#g-mode").input_value() == "commissioned_development"
    assert page.locator("#g-keywords").input_value()
    preview = page.locator(".preview .match")
    assert "低糖月饼馅料配方" in preview.first.inner_text(), "the first matches are shown before publishing"
    assert no_horizontal_scroll(page), "the guided form must fit a phone screen"
    assert_fields_labelled(page)
    assert "依据" in page.locator("main").inner_text() and "Basis" not in page.locator("main").inner_text()
    page.get_by_role("button", name="发布需求").click()
    page.wait_for_url(re.compile(r".*/demands/\d+/matches$"))
    first = page.locator("li.match").first
    assert "低糖月饼馅料配方" in first.locator("h2").inner_text()
    assert first.locator(".reasons mark").count() >= 1, "each match shows its reasons"
    first.get_by_label("理由").fill("配方与我们的产品一致")
    first.get_by_role("button", name="采纳").click()
    page.wait_for_url(re.compile(r".*/matches$"))
    assert page.locator("li.match").first.locator(".decided-accept").count() == 1
    assert no_horizontal_scroll(page)


def test_institution_lists_a_technology_and_sees_demands_that_fit(page: Any, live_server: LiveServer) -> None:
    register(page, live_server, "institution_member", f"丁研究所{next(_n)}（测试）")
    page.goto(f"{live_server.url}/technologies/new")
    page.locator("#fld-title").fill("高稳定性低糖馅料复配技术")
    page.locator("#fld-abstract").fill("采用膳食纤维复配，解决减糖馅料发硬和析水问题，适合月饼馅料量产。")
    page.locator("#fld-keywords").fill("低糖, 馅料, 稳定性")
    page.locator("#fld-technology_field").select_option("F09")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/technologies/\d+$"))
    page.get_by_role("link", name="查看适配的需求").click()
    page.wait_for_url(re.compile(r".*/technologies/\d+/demands$"))
    titles = page.locator("li.match h2").all_inner_texts()
    assert "月饼减糖后馅料口感变差" in titles
    assert "保密：新型低糖馅料稳定性问题" in titles, "a confidential demand is listed by its summary"
    assert SECRET not in page.content(), "but its details never appear"
    assert page.locator("li.match .reasons mark").count() >= 1


def test_outsider_sees_confidential_details_only_after_the_nda(page: Any, live_server: LiveServer) -> None:
    demand_url = f"{live_server.url}/demands/{live_server.ids['d-secret']}"
    page.goto(demand_url)
    assert SECRET not in page.content()
    register(page, live_server, "investor")
    page.goto(demand_url)
    assert page.locator("#restricted").is_visible()
    assert SECRET not in page.content()
    page.get_by_role("link", name="阅读并签署保密承诺").click()
    page.wait_for_url(re.compile(r".*/nda$"))
    assert "保密承诺（第1版）" in page.content()
    page.get_by_role("button", name="签署并查看详情").click()
    assert page.url.endswith("/nda"), "the box must be ticked first (the browser refuses the empty form)"
    page.get_by_label("我已阅读并同意以上保密承诺").check()
    page.get_by_role("button", name="签署并查看详情").click()
    page.wait_for_url(demand_url)
    assert SECRET in page.content()
    assert page.locator("#restricted").count() == 0


def test_language_switch_keyboard_and_phone_layout(page: Any, live_server: LiveServer) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("navigation", name="主导航").get_by_role("link", name="科技成果").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip", "the first Tab reaches 'skip to content'"
    page.locator("[data-lang-switch]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Post a need (guided)").is_visible()
    page.goto(f"{live_server.url}/demands")
    assert page.locator("html").get_attribute("lang") == "en", "the choice is remembered"
    assert not re.search(r"[\u4e00-\u9fff]", page.locator("header").inner_text().replace("中文", ""))
    page.goto(f"{live_server.url}/login")
    assert_fields_labelled(page)
    assert no_horizontal_scroll(page)
