"""The dashboard in a real browser: headless Chromium driven by Selenium.

The server is started as a planner starts it (``adoption dashboard --port N``). Needs
Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them
the tests are skipped, unless ``ADOPTION_REQUIRE_BROWSER=1`` (set by CI) makes that a
failure. Screenshots go to ``out/dashboard-screenshots/`` (or ``$ADOPTION_SCREENSHOTS``),
with the time from pressing "run" to the chart in ``timing.txt``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as seen  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from adoption.cli import main  # noqa: E402
from adoption.dashboard import draft as drafts  # noqa: E402
from adoption.scenarios.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("ADOPTION_SCREENSHOTS", ROOT / "out" / "dashboard-screenshots"))
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"

pytestmark = pytest.mark.slow


def _need_browser():
    if BROWSER and Path(DRIVER).exists():
        return
    if os.environ.get("ADOPTION_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium and chromium-driver are required (apt-get install -y ...)")
    pytest.skip("needs Debian's chromium and chromium-driver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``adoption dashboard`` on a free port; the address it prints."""
    _need_browser()
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "out.txt"
    command = [
        sys.executable,
        "-c",
        "from adoption.cli import main; main()",
        "dashboard",
        "--port",
        str(port),
        "--lang",
        "vi",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        address = f"http://127.0.0.1:{port}/"
        _wait_for(address, process)
        assert f"open {address}" in log.read_text()  # the command says where to go
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(address: str, process, seconds: float = 90) -> None:
    import urllib.request

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert process.poll() is None, "the dashboard server exited"
        try:
            urllib.request.urlopen(address, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no page at {address} after {seconds} s")


def _chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1500,1100",
        "--lang=vi",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _need_browser()
    driver = _chromium()
    downloads = tmp_path_factory.mktemp("downloads")
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _open(browser, address: str, path: str = ""):
    browser.get(address + path)
    wait = WebDriverWait(browser, 60)
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".nav-planner")))
    return wait


def _css(browser, selector: str):
    return browser.find_element(By.CSS_SELECTOR, selector)


def _type(browser, selector: str, text: str) -> None:
    field = _css(browser, f"{selector} input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(text, Keys.ENTER)


def _message(browser, wait, selector: str, key: str) -> str:
    """The message under a field once it names ``key`` (a hint is shown until then)."""
    path = f"{selector} .v-messages__message"

    def text(b) -> str:
        return " ".join(e.text for e in b.find_elements(By.CSS_SELECTOR, path))

    wait.until(lambda b: f"{key}:" in text(b))
    return text(browser)


def _add_lever(browser, wait) -> None:
    wait.until(seen.element_to_be_clickable((By.CSS_SELECTOR, ".add-lever"))).click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".lever-0-magnitude input")))


def test_the_page_loads_in_vietnamese_and_switches_to_english(server, browser):
    wait = _open(browser, server)
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".run-quick")))
    assert "chạy dự báo nhanh" in _css(browser, ".run-quick").text.lower()
    assert "Kịch bản" in browser.page_source
    name = ".scenario-name input"
    assert _css(browser, name).get_attribute("value") == "hiện trạng"  # the file's name_vi
    browser.save_screenshot(str(SHOTS / "planner_loaded_vi.png"))
    _css(browser, ".lang-en").click()
    wait.until(lambda b: "run quick forecast" in _css(b, ".run-quick").text.lower())
    wait.until(lambda b: _css(b, name).get_attribute("value") == "baseline")


def test_a_bad_value_shows_the_command_lines_message_beside_its_field(server, browser):
    wait = _open(browser, server)
    _add_lever(browser, wait)
    _type(browser, ".lever-0-magnitude", "9")
    shown = _message(browser, wait, ".lever-0-magnitude", "interventions[0].magnitude")
    draft = drafts.from_file(drafts.shipped()["baseline"])
    lever = {**drafts.new_lever("train_teams", draft), "magnitude": 9.0}
    expected = drafts.check({**draft, "interventions": [lever]})[1]
    assert shown == str(expected)  # exactly what `adoption validate` prints after "error: "
    assert not _css(browser, ".run-quick").is_enabled()
    browser.save_screenshot(str(SHOTS / "planner_bad_value.png"))


def test_a_quick_run_completes_in_the_background_and_draws_the_chart(server, browser):
    wait = _open(browser, server)
    _add_lever(browser, wait)
    _type(browser, ".lever-0-magnitude", "1.5")
    wait.until(lambda b: _css(b, ".run-quick").is_enabled())
    began = time.monotonic()
    _css(browser, ".run-quick").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".run-progress")))
    WebDriverWait(browser, 180).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, ".chart-forecast"))
    )
    seconds = time.monotonic() - began
    (SHOTS / "timing.txt").write_text(f"run to chart: {seconds:.1f} s\n", encoding="utf-8")
    print(f"run to chart: {seconds:.1f} s")
    for name in ("forecast", "difference", "costs"):
        wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, f".chart-{name}")))
        image = _css(browser, f".chart-{name}")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 400
    assert "hộ-năm" in browser.page_source  # the cost table, in Vietnamese
    browser.execute_script("arguments[0].scrollIntoView()", _css(browser, ".results"))
    browser.save_screenshot(str(SHOTS / "planner_result_vi.png"))


def test_two_people_on_one_server_do_not_see_each_others_page(server, browser):
    other = _chromium()
    try:
        wait = _open(browser, server)
        _open(other, server)
        _css(other, ".lang-en").click()  # the other person reads English
        _add_lever(browser, wait)
        WebDriverWait(other, 60).until(
            lambda b: "run quick forecast" in _css(b, ".run-quick").text.lower()
        )
        assert not other.find_elements(By.CSS_SELECTOR, ".lever-0-magnitude")
        assert "chạy dự báo nhanh" in _css(browser, ".run-quick").text.lower()
    finally:
        other.quit()


def test_the_downloaded_scenario_validates_and_holds_the_lever(server, browser):
    wait = _open(browser, server)
    _type(browser, ".scenario-name", "kịch bản thử")
    wait.until(lambda b: _css(b, ".scenario-name input").get_attribute("value") == "kịch bản thử")
    _add_lever(browser, wait)
    _type(browser, ".lever-0-magnitude", "1.5")
    wait.until(lambda b: "1.5" == _css(b, ".lever-0-magnitude input").get_attribute("value"))
    search = _css(browser, ".lever-0-where-search input")
    search.send_keys("cho don")  # found as typed, without the accents
    wait.until(seen.element_to_be_clickable((By.CSS_SELECTOR, ".lever-0-where .place-hit")))
    hit = _css(browser, ".lever-0-where .place-hit")
    assert hit.text.lower() == "+ chợ đồn"  # the district first, then its communes
    hit.click()
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".lever-0-where .place-chip"))
    _add_lever(browser, wait)  # a second lever, removed again
    wait.until(seen.element_to_be_clickable((By.CSS_SELECTOR, ".lever-1-remove"))).click()
    wait.until(lambda b: not b.find_elements(By.CSS_SELECTOR, ".lever-1-remove"))
    wait.until(lambda b: _css(b, ".run-quick").is_enabled())
    buttons = browser.find_elements(By.CSS_SELECTOR, ".downloads button")
    buttons[0].click()
    files = _downloaded(browser.downloads, ".toml")
    assert main(["validate", str(files[0])]) == 0
    scenario = load_scenario(files[0])
    assert scenario.name_vi == "kịch bản thử"  # typed on the Vietnamese page
    levers = [(lv.type, lv.magnitude, lv.where) for lv in scenario.interventions]
    assert levers == [("train_teams", 1.5, ("Chợ Đồn",))]


def _downloaded(folder: Path, suffix: str, seconds: float = 30) -> list[Path]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = [p for p in folder.iterdir() if p.suffix == suffix]
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"nothing downloaded into {folder}")


def _grid_drawn(browser) -> str:
    image = _css(browser, ".village-grid img")
    ready = browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", image
    )
    return image.get_attribute("src") if ready and ready > 400 else ""


def _month(browser) -> str:
    """The month the researcher's run has reached (read in the page: it re-renders)."""
    script = "const e = document.querySelector('.run-info strong'); return e && e.textContent"
    return browser.execute_script(script) or ""


def test_the_researcher_steps_one_run_month_by_month(server, browser):
    wait = _open(browser, server, "researcher")
    WebDriverWait(browser, 90).until(_grid_drawn)
    assert _month(browser).startswith("lúc bắt đầu")  # Vietnamese first: "start, before 2019-01"
    step = (By.XPATH, "//button[normalize-space(.)='Step']")
    for expected in ("2019-01", "2019-02", "2019-03"):
        before = _grid_drawn(browser)
        wait.until(seen.element_to_be_clickable(step)).click()
        wait.until(lambda b, old=before: _grid_drawn(b) not in ("", old))
        wait.until(lambda b, m=expected: _month(b) == m)
    assert _css(browser, ".district-curves img").get_attribute("src")
    play, pause = ((By.XPATH, f"//button[normalize-space(.)='{s}']") for s in ("▶", "❚❚"))
    wait.until(seen.element_to_be_clickable(play)).click()  # plays on, month after month
    WebDriverWait(browser, 120, poll_frequency=0.1).until(lambda b: _month(b) >= "2022-06")
    wait.until(seen.element_to_be_clickable(pause)).click()
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "researcher_vi.png"))


def test_the_planner_page_is_usable_at_phone_width(server, browser):
    """Commune officers carry phones: at 400 px the cards stack, nothing runs off the side."""
    browser.set_window_size(400, 1400)
    try:
        _open(browser, server)
        wait = WebDriverWait(browser, 30)
        wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".run")))
        scenario, run = _css(browser, ".scenario").rect, _css(browser, ".run").rect
        assert run["y"] >= scenario["y"] + scenario["height"]  # below, not beside
        width = browser.execute_script("return window.innerWidth")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert scenario["width"] >= 0.8 * width
        for switch in (".lang-en", ".lang-vi", ".nav-researcher"):  # the bar fits the phone
            rect = _css(browser, switch).rect
            assert rect["x"] + rect["width"] <= width, switch
        browser.save_screenshot(str(SHOTS / "planner_phone_vi.png"))
    finally:
        browser.set_window_size(1500, 1100)


def test_the_researcher_page_is_usable_at_phone_width(server, browser):
    """At 400 px the run's figures fit the screen, one above the other; nothing runs off."""
    browser.set_window_size(400, 1400)
    try:
        _open(browser, server, "researcher")
        WebDriverWait(browser, 90).until(_grid_drawn)
        width = browser.execute_script("return window.innerWidth")
        drawer = _css(browser, ".v-navigation-drawer")  # the controls: a drawer on a phone
        if drawer.rect["x"] >= 0:  # open: it leaves a strip to tap, which closes it
            assert drawer.rect["x"] + drawer.rect["width"] <= 0.9 * width
            browser.save_screenshot(str(SHOTS / "researcher_phone_controls_vi.png"))
            ActionChains(browser).move_by_offset(width - 15, 700).click().perform()
            WebDriverWait(browser, 10).until(lambda b: drawer.rect["x"] < 0)
        browser.save_screenshot(str(SHOTS / "researcher_phone_vi.png"))
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        grid, curves = _css(browser, ".village-grid").rect, _css(browser, ".district-curves").rect
        for rect in (grid, curves):
            assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width
        assert curves["y"] >= grid["y"] + grid["height"] - 1  # below, not beside
        for switch in (".lang-en", ".lang-vi", ".nav-planner"):  # the bar fits the phone
            rect = _css(browser, switch).rect
            assert rect["x"] + rect["width"] <= width, switch
    finally:
        browser.set_window_size(1500, 1100)
