// Lighthouse on a list of pages, in one Node process, against a Chromium that is already running
// (the one the browser tests drive): `node audit.mjs PORT URL...` prints one JSON object per page
// on stdout. Lighthouse's defaults otherwise: mobile emulation and simulated throttling, so the
// scores are what Lighthouse would give the page on a mid-range phone on a slow 4G connection.
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [port, ...urls] = process.argv.slice(2);
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: null });
const categories = ["performance", "accessibility", "best-practices", "seo"];
// Left out: the audits that weigh nothing in any score (measured: 1.3 s of each page's 10.4 s):
// the screenshots, and the back/forward-cache check, which navigates away and back.
// The quiet windows after first paint and load are 250 ms, not Lighthouse's 1 s: the pages are
// static files on this machine, done well within that, and the simulated metrics come from
// what loaded, not from how long Lighthouse waited. Measured on the 15 pages `make test` judges,
// twice each way: the same scores within their run-to-run spread (performance 0.92-0.99 both
// ways, nothing short), in 95 s instead of 116 s.
const quiet = 250;
const settings = {
  logLevel: "error",
  onlyCategories: categories,
  disableFullPageScreenshot: true,
  skipAudits: ["screenshot-thumbnails", "final-screenshot", "bf-cache"],
  pauseAfterFcpMs: quiet,
  pauseAfterLoadMs: quiet,
  networkQuietThresholdMs: quiet,
  cpuQuietThresholdMs: quiet,
};

try {
  for (const url of urls) {
    const page = await browser.newPage();
    try {
      const { lhr } = await lighthouse(url, settings, undefined, page);
      const failing = {};
      for (const id of categories) {
        failing[id] = lhr.categories[id].auditRefs
          .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
          .map((ref) => `${ref.id} (${lhr.audits[ref.id].score}): ${lhr.audits[ref.id].displayValue || lhr.audits[ref.id].title}`);
      }
      const metric = (id) => lhr.audits[id] ? lhr.audits[id].numericValue : null;
      console.log(JSON.stringify({
        url,
        error: lhr.runtimeError ? lhr.runtimeError.message : null,
        warnings: lhr.runWarnings,
        scores: Object.fromEntries(categories.map((id) => [id, lhr.categories[id].score])),
        bytes: metric("total-byte-weight"),
        lcp_ms: metric("largest-contentful-paint"),
        fcp_ms: metric("first-contentful-paint"),
        tbt_ms: metric("total-blocking-time"),
        cls: metric("cumulative-layout-shift"),
        main_thread_ms: metric("mainthread-work-breakdown"),
        requests: (lhr.audits["network-requests"].details?.items || []).map((r) => [r.url, r.transferSize, r.resourceType]),
        // Where the main thread's time went, by kind of work and by script, in milliseconds.
        main_thread: (lhr.audits["mainthread-work-breakdown"].details?.items || []).map((i) => [i.groupLabel, Math.round(i.duration)]),
        scripts: (lhr.audits["bootup-time"].details?.items || []).map((i) => [i.url, Math.round(i.total), Math.round(i.scripting)]),
        failing,
      }));
    } finally {
      await page.close();
    }
  }
} finally {
  browser.disconnect();
}
