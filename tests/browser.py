"""Driving Debian's real Chromium headless, to check the book as a reader's browser sees it.

Used by tests/test_browser.py (the checks in `make test`) and tools/screenshots.py (pictures
to look at). Nothing here downloads anything: Chromium and chromedriver come from Debian
(`apt-get install chromium chromium-driver`), axe-core from npm into tools/axe/ (`make test`
installs both), and both paths are given to Selenium so Selenium Manager never runs.

What a page is checked for (`audit`): that it rendered, what it requested from where (Chrome
DevTools Network events from the performance log), what the console said at level SEVERE,
which images lack alt text, and, optionally, what axe-core finds.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# The flags the project asks for: no first-run work and no background traffic of the browser's
# own (updates, sync, QUIC probes), so that every request left is one a page made.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Direct connections only, and no name resolves except the machine's own: a page that
    # asks for https://cdn.example/x.js still shows up in the Network events (which the checks
    # read) but the request ends here, so a test run sends nothing off the machine.
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers; Chromium crashes on big pages
    "--hide-scrollbars",  # screenshots without a scrollbar eating into the 390 px phone width
    "--window-size=1280,900",
]

DESKTOP = (1280, 900)
PHONE = (390, 844)

# Schemes that never leave the machine.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "devtools"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

INSTALL_HINT = (
    "The browser tests need Debian's Chromium and chromedriver, and axe-core from npm.\n"
    "  As root, `make test` installs them. Otherwise: sudo apt-get update && "
    "sudo apt-get install -y chromium chromium-driver\n"
    "  and: npm ci --prefix tools/axe"
)


def missing_tools() -> list[str]:
    """What the browser tests need and this machine lacks, as readable names."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not AXE.is_file():
        missing.append(str(AXE.relative_to(ROOT)))
    return missing


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS | {"::1"}


# ---------------------------------------------------------------------------
# A local web server for a folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test output is for failures, not access logs
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on 127.0.0.1 at a free port, in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------
# The browser


@contextlib.contextmanager
def chromium():
    """One headless Chromium under chromedriver, with a fresh profile that is removed after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="amudarya-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    # The performance log carries the DevTools Network events; the browser log the console.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, script: str, timeout: float = 15, what: str = ""):
    """Poll a JavaScript expression until it is truthy and return it: the tests wait for what
    they expect to see, never a fixed time, so a busy machine makes them slower, not flaky."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script("return " + script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s on {driver.current_url} for {what or script}")
        time.sleep(0.05)


def set_width(driver, size: tuple[int, int]) -> None:
    """Emulate a screen: (1280, 900) a desktop, (390, 844) a phone (mobile, with touch)."""
    width, height = size
    mobile = width < 600
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
    # Reduced motion: Bootstrap then shows tooltips and dialogs at once instead of fading them
    # in, so axe never measures the contrast of a half-faded tooltip.
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )


def _drain(driver) -> None:
    """Throw away log entries from earlier pages."""
    driver.get_log("performance")
    driver.get_log("browser")


def _requests(performance_log) -> list[str]:
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def wait_until_loaded(driver, timeout: float = 20) -> None:
    """Until the document is complete, every image (lazy ones too) has arrived and nothing is still being
    fetched (Resource Timing entries have stopped growing), so that late scripts (deferred,
    async) have made their requests before the logs are read."""
    wait_for(driver, "document.readyState === 'complete'", timeout, "the page to load")
    # Charts below the first load lazily, when a reader scrolls near them; the checks look at
    # every image, so each is asked for now.
    driver.execute_script("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    wait_for(driver, "Array.from(document.images).every(i => i.complete)", timeout, "every image to load")
    count = -1
    for _ in range(int(timeout / 0.2)):
        now = driver.execute_script("return performance.getEntriesByType('resource').length")
        if now == count:
            return
        count = now
        time.sleep(0.2)


# ---------------------------------------------------------------------------
# Checking a page

_IMAGES_JS = """
return Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src,
    alt: img.getAttribute('alt'),
    role: img.getAttribute('role'),
    loaded: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width,
    natural_width: img.naturalWidth,
    visible: img.getClientRects().length > 0,
}));
"""

_RENDER_JS = """
const main = document.querySelector('main, [role=main]');
// The words a reader sees in the page's main part; code and command lines are left out, as
// they may rightly hold codes such as KAZ.
let text = '';
if (main) {
    const copy = main.cloneNode(true);
    copy.querySelectorAll('code, pre, kbd, script, style').forEach(el => el.remove());
    document.body.appendChild(copy);  // innerText needs layout; the copy is removed at once
    copy.style.position = 'absolute';
    copy.style.left = '-99999px';
    text = copy.innerText;
    copy.remove();
}
return {
    title: document.title,
    text: text,
    h1: Array.from(document.querySelectorAll('h1'))
             .filter(h => h.getClientRects().length > 0)
             .map(h => h.innerText.replace(/#$/, '').trim()),
    downloads: Array.from(document.querySelectorAll('a.download, a[download]')).map(a => a.href),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    tables: main ? main.querySelectorAll('table').length : 0,
    // How far the page as a whole scrolls sideways: a reader on a phone should never have to.
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
};
"""

_AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(r => done(r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  summary: n.failureSummary}))}))))
   .catch(e => done({error: String(e)}));
"""


@dataclass
class PageReport:
    url: str
    title: str = ""
    text: str = ""
    h1: list[str] = field(default_factory=list)  # the visible level-one headings
    overflow: int = 0  # CSS pixels the whole page scrolls sideways
    tables: int = 0  # tables in the page's main part
    links: list[str] = field(default_factory=list)  # every link, as an absolute address
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not is_local(u)]

    @property
    def images_without_alt(self) -> list[str]:
        """Images with no alt text, or with a file name or address for one (what docutils
        writes when none was given). An explicit alt="" counts only with role="presentation"."""
        bad = []
        for img in self.images:
            alt = (img["alt"] or "").strip()
            if img["alt"] == "" and img["role"] in {"presentation", "none"}:
                continue
            name = img["src"].rsplit("/", 1)[-1].split("?")[0]
            looks_like_file = (
                alt == name
                or "/" in alt
                or alt.lower().rsplit(".", 1)[-1] in {"png", "jpg", "jpeg", "svg", "gif", "webp"}
            )
            if not alt or looks_like_file:
                bad.append(f"{img['src']} (alt={img['alt']!r})")
        return bad

    @property
    def charts(self) -> list[dict]:
        """Images a notebook made (Sphinx copies them into _images/)."""
        return [img for img in self.images if "/_images/" in img["src"]]

    @property
    def broken_images(self) -> list[str]:
        return [img["src"] for img in self.images if img["visible"] and not img["loaded"]]

    def axe_violations(self, impacts=("minor", "moderate", "serious", "critical")) -> list[str]:
        """axe violations of the given impacts (all, by default), one line per element."""
        lines = []
        for v in self.axe:
            if v.get("impact") in impacts:
                for node in v["nodes"]:
                    lines.append(f"{v['id']} ({v['impact']}: {v['help']}) at {node['target']}: {node['html']}")
        return lines

    def serious_axe(self) -> list[str]:
        """axe violations of impact serious or critical, one line per element."""
        return self.axe_violations(("serious", "critical"))


def inject_axe(driver) -> None:
    driver.execute_script(AXE.read_text(encoding="utf-8"))


def run_axe(driver) -> list[dict]:
    inject_axe(driver)
    result = driver.execute_async_script(_AXE_RUN_JS)
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result['error']}")
    return result


def audit(driver, url: str, *, axe: bool = True) -> PageReport:
    """Open `url` and report what the checks look at. The logs are drained first, so the
    requests and console lines are this page's own."""
    _drain(driver)
    driver.get(url)
    wait_until_loaded(driver)
    report = PageReport(url=url)
    rendered = driver.execute_script(_RENDER_JS)
    report.title = rendered["title"]
    report.text = rendered["text"]
    report.h1 = rendered["h1"]
    report.downloads = rendered["downloads"]
    report.overflow = rendered["overflow"]
    report.tables = rendered["tables"]
    report.links = rendered["links"]
    report.images = driver.execute_script(_IMAGES_JS)
    if axe:
        report.axe = run_axe(driver)
    report.requests = _requests(driver.get_log("performance"))
    report.console = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return report


def screenshot(driver, path: Path, size: tuple[int, int]) -> None:
    """The whole page as a PNG, at the width of `size`. The emulated screen is made as tall as
    the page for the shot (capturing beyond a short screen leaves sticky sidebars cut off),
    then set back."""
    import base64

    width, height = size
    # Sections off screen are drawn at a placeholder height (content-visibility in amudarya.css)
    # until the screen reaches them, so the page's height is measured again on the tall screen
    # until it holds still.
    tall = 0
    for _ in range(5):
        full = max(height, driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)"))
        if full == tall:
            break
        tall = full
        set_width(driver, (width, tall))
        wait_for(driver, f"window.innerHeight === {tall}", what="the tall screen")
        time.sleep(0.2)  # resize handlers (amudarya.js) run after the resize; only a picture waits on this
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    set_width(driver, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


# ---------------------------------------------------------------------------
# The book's pages and its search

# Folders of a built book that hold no pages: sphinx-book-theme copies two Jinja macro files
# (webpack-macros.html) into _static/, which no page links to and no reader opens.
NOT_PAGES = {"_static", "_downloads", "_sources", "_images"}


def book_pages(html: Path) -> list[str]:
    """Every page of a built book, as paths relative to its folder: whatever chapters the run
    matrix has today, plus Sphinx's index and search pages."""
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not NOT_PAGES & set(p.relative_to(html).parts[:-1])
    )


_SEARCH_STATE_JS = """
const box = document.getElementById('search-results');
if (!box) return null;
const status = box.querySelector('p.search-summary, .search-summary');
const finished = status && status.innerText.trim().length > 0;
return {
    finished: Boolean(finished),
    summary: finished ? status.innerText.trim() : '',
    results: Array.from(box.querySelectorAll('ul.search li > a')).map(a => a.href),
};
"""


def search_results(driver, timeout: float = 15) -> dict:
    """Wait on a search.html page until Sphinx's search has finished; its summary line and
    the addresses of the pages it found."""
    wait_for(
        driver,
        "(() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && s.innerText.trim().length > 0; })()",
        timeout,
        "the search to finish",
    )
    return driver.execute_script(_SEARCH_STATE_JS)


def visible(driver, selector: str):
    """The elements matching `selector` that a reader can see (the themes keep hidden copies
    of several controls for other screen widths)."""
    from selenium.webdriver.common.by import By

    return [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]


# ---------------------------------------------------------------------------
# Outside judges: Lighthouse and the Nu HTML Checker

LIGHTHOUSE_DIR = ROOT / "tools" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
VNU = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = os.environ.get("JAVA", shutil.which("java") or "/usr/bin/java")
NODE = os.environ.get("NODE", shutil.which("node") or "/usr/bin/node")

# What issue 16 asks of every page, in Lighthouse's mobile emulation with its default
# (simulated) throttling: scores from 0 to 1, and the bytes a first visit loads.
THRESHOLDS = {"performance": 0.9, "accessibility": 1.0, "best-practices": 1.0, "seo": 0.95}
MAX_BYTES = 600 * 1024

JUDGES_HINT = (
    "The outside judges need Node with Lighthouse and Java with the Nu HTML Checker:\n"
    "  npm ci --prefix tools/lighthouse && npm ci --prefix tools/vnu   (make test does both),\n"
    "  and Java 17 (apt-get install -y default-jre-headless)."
)


def missing_judges() -> list[str]:
    missing = [str(p.relative_to(ROOT)) for p in (LIGHTHOUSE, VNU) if not p.is_file()]
    return missing + [path for path in (NODE, JAVA) if not os.access(path, os.X_OK)]


def debugger_port(driver) -> int:
    """The DevTools port of the Chromium that chromedriver started, so that Lighthouse tests
    in the same browser instead of starting another."""
    address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
    return int(address.rsplit(":", 1)[1])


def lighthouse(driver, urls: list[str], timeout: float = 600) -> dict[str, dict]:
    """Lighthouse's report on each page (tools/lighthouse/audit.mjs), keyed by address:
    category scores, bytes, timings, the requests and every audit that cost points."""
    import subprocess

    if not urls:
        return {}
    done = subprocess.run(
        [NODE, str(LIGHTHOUSE_DIR / "audit.mjs"), str(debugger_port(driver)), *urls],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed ({done.returncode}): {done.stderr[-3000:]}")
    found = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            found[report["url"]] = report
    return found


def lighthouse_median(driver, urls: list[str], runs: int = 3) -> dict[str, dict]:
    """Lighthouse's reports, as `lighthouse` gives them, except that a page whose first report
    falls short is measured `runs` times in all and the report with the median performance
    score is kept: that score moves by a few hundredths from run to run on one machine, and
    Lighthouse's own documentation on variability advises the median of several runs."""
    reports = lighthouse(driver, urls)
    short = [url for url, report in reports.items() if lighthouse_problems(report)]
    if short:
        again = [lighthouse(driver, short) for _ in range(runs - 1)]
        for url in short:
            tries = [reports[url]] + [more[url] for more in again if url in more]
            tries.sort(key=lambda r: (r.get("scores") or {}).get("performance") or 0)
            reports[url] = tries[len(tries) // 2]
    return reports


def lighthouse_problems(report: dict) -> list[str]:
    """Where a page falls short of THRESHOLDS, with the audits that cost it points."""
    if report.get("error"):
        return [f"Lighthouse could not test the page: {report['error']}"]
    problems = []
    for category, wanted in THRESHOLDS.items():
        score = report["scores"].get(category)
        if score is None or score < wanted:
            problems.append(f"{category} {score} < {wanted}: " + "; ".join(report["failing"].get(category, [])))
    if report["bytes"] > MAX_BYTES:
        biggest = sorted(report["requests"], key=lambda r: -(r[1] or 0))[:5]
        problems.append(
            f"first load {report['bytes'] / 1024:.0f} KB > {MAX_BYTES // 1024} KB; largest: "
            + ", ".join(f"{u.rsplit('/', 1)[-1]} {s / 1024:.0f} KB" for u, s, _ in biggest)
        )
    return problems


def validate_html(files: list[Path]) -> list[dict]:
    """The Nu HTML Checker's errors for `files`, all in one Java process: one dict per error
    with the file, line and message."""
    import subprocess

    done = subprocess.run(
        [JAVA, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(done.stderr or "{}").get("messages", [])
    except json.JSONDecodeError:
        raise RuntimeError(f"vnu.jar did not report ({done.returncode}): {done.stderr[-2000:]}") from None
    return [m for m in messages if m.get("type") in {"error", "non-document-error"}]


def page_kinds(toc: dict) -> dict[str, str]:
    """One page of each kind in the book's table of contents, kind -> page: the home page, the
    first chapter of each notebook (a thread, the overview, disputes, sources) and every page
    written in Markdown (front and back matter), so pages added later are covered by kind."""
    kinds = {"home": toc["root"]}
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            file = chapter["file"]
            name = file.rsplit("/", 1)[-1]
            kind = name.split("__", 1)[0] if file.startswith("_generated/") else file
            kinds.setdefault(kind, file)
    return {kind: file + ".html" for kind, file in kinds.items()}
