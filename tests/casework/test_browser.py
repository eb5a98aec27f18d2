"""Real browser (Playwright + Debian Chromium): the whole loop from a phone report with a photo to the reward.

public report (phone, located by the phone's position, with a photo) → in the 城区 officer's inbox → accepted →
dispatched → rectified with evidence → verification fails → rectified again → verified → closed (销号) →
reward approved → the reporter sees 已销号 and the reward with the receipt code."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from ecoloop.config import Settings
from ecoloop.web.app import create_app

from .webclient import PASSWORD, PNG, seed

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    return chromium


@pytest.fixture
def server(sqlite_engine, tmp_path: Path) -> Iterator[str]:  # noqa: ANN001
    import socket

    seed(sqlite_engine)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(settings=Settings(data_dir=tmp_path / "d"), engine=sqlite_engine),
                                        host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _guard(page: Page, base: str) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"js error: {e}"))
    page.on("request", lambda r: problems.append(f"outside request: {r.url}") if not r.url.startswith(base) else None)
    return problems


def _login(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def _act(page: Page, pid: str, action: str, note: str = "", files: list[Path] | None = None, **fields: str) -> None:
    page.goto(f"/problems/{pid}")
    box = page.get_by_test_id(f"action-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        box.locator(f"[name={name}]").fill(value)
    if note:
        box.locator("textarea[name=note]").fill(note)
    if files:
        box.locator("input[type=file]").set_input_files([str(f) for f in files])
    box.get_by_test_id(f"do-{action}").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("action-error")).to_have_count(0)


def test_phone_report_through_the_whole_loop_to_the_reward(browser: Browser, server: str, tmp_path: Path) -> None:
    photo = tmp_path / "scene.png"
    photo.write_bytes(PNG)
    # 1. The public reporter on a phone, located by the phone (a point in 城区), with a photo.
    phone = browser.new_context(base_url=server, locale="zh-CN", geolocation={"latitude": 35.4887, "longitude": 112.8508},
                                permissions=["geolocation"], **PHONE)
    rp = phone.new_page()
    issues = _guard(rp, server)
    rp.goto("/problems/report")
    expect(rp.get_by_test_id("report-map")).to_have_attribute("data-ready", "true")
    rp.get_by_test_id("category").select_option("restaurant")
    rp.get_by_test_id("description").fill("小区楼下饭店油烟直排，晚上很呛")
    rp.get_by_role("button", name="使用我的位置").click()
    expect(rp.locator("#picked")).to_contain_text("112.8508")
    rp.get_by_test_id("photos").set_input_files(str(photo))
    rp.get_by_text("留下联系方式").click()
    rp.get_by_test_id("phone").fill("13900000002")
    rp.get_by_test_id("report-submit").click()
    expect(rp.get_by_test_id("receipt-new")).to_be_visible()
    receipt = rp.get_by_test_id("receipt-code").inner_text().strip()
    expect(rp.get_by_test_id("receipt-status")).to_have_text("待审核")
    assert rp.locator(".gallery img").count() == 1

    # 2. It appears in the 城区 officer's inbox (desktop).
    office = browser.new_context(base_url=server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    op = office.new_page()
    issues += _guard(op, server)
    _login(op, "chengqu")
    op.goto("/problems")
    expect(op.get_by_test_id("problems-map")).to_have_attribute("data-ready", "true")
    row = op.get_by_test_id("problems-table").locator("tbody tr").first
    expect(row).to_contain_text("餐饮油烟")
    expect(row).to_contain_text("待审核")
    row.locator("a").first.click()
    pid = op.url.rstrip("/").rsplit("/", 1)[-1]
    _act(op, pid, "accept")
    _act(op, pid, "dispatch", list_task="餐饮油烟整治", list_measure="清洗并正常运行油烟净化设施", working_days="5")
    expect(op.get_by_test_id("problem-status")).to_have_text("已交办")
    expect(op.get_by_test_id("five-lists")).to_contain_text("乡镇（街道）")  # no rule installed: the township

    # 3. The grid officer rectifies with evidence; the county fails the verification; rectified again.
    _login(op, "grid")
    _act(op, pid, "start")
    _act(op, pid, "submit", note="已清洗净化器", files=[photo])
    _login(op, "chengqu")
    op.goto("/problems/verify")
    expect(op.get_by_test_id("problems-table")).to_contain_text("待核查")
    _act(op, pid, "verify_fail", note="复查时油烟仍然直排", working_days="3")
    expect(op.get_by_test_id("problem-status")).to_have_text("核查退回")
    _login(op, "grid")
    _act(op, pid, "start")
    _act(op, pid, "submit", note="更换了净化设备并加装在线监控", files=[photo])
    # 4. Verified, closed, reward approved (by the city).
    _login(op, "chengqu")
    _act(op, pid, "verify_pass", note="现场核查合格")
    _act(op, pid, "close", note="销号")
    expect(op.get_by_test_id("problem-status")).to_have_text("已销号")
    expect(op.get_by_test_id("timeline").locator("img")).to_have_count(3)
    _login(op, "analyst")
    op.goto(f"/problems/{pid}")
    expect(op.get_by_test_id("reward")).to_contain_text("拟奖励")
    op.get_by_test_id("reward-approve").click()
    expect(op.get_by_test_id("reward")).to_contain_text("已审批")

    # 5. The reporter looks it up with the receipt code.
    rp.goto("/problems/receipt")
    rp.get_by_test_id("receipt-input").fill(receipt.lower())
    rp.get_by_role("button", name="查询").click()
    expect(rp.get_by_test_id("receipt-status")).to_have_text("已销号")
    expect(rp.get_by_test_id("receipt-reward")).to_contain_text("100.00 元")
    expect(rp.get_by_test_id("receipt-reward")).to_contain_text("已审批")
    expect(rp.get_by_test_id("receipt-result")).to_contain_text("核查未通过，重新整改")
    expect(rp.get_by_test_id("receipt-result")).not_to_contain_text("13900000002")
    rp.screenshot(path=str(tmp_path / "receipt-phone.png"), full_page=True)
    phone.close()
    office.close()
    assert issues == []
