// The book's own script, loaded on every page from _static (nothing is fetched from elsewhere).
// It fixes what the accessibility audit (tests/test_browser.py) found in the theme's controls
// and in the book's own layout.
(function () {
  "use strict";

  // Search in a book opened from disk (file://, as the README says): Sphinx fetches each
  // result page to quote a summary under it, which browsers refuse for files, leaving a
  // console error per result. From disk the results are listed without summaries; served
  // over http they keep them. This runs at once, before the search does.
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }

  // The colour-mode button: its icons are decorative (book/_templates/theme-switcher.html),
  // so its label says which mode is on. The theme's script changes <html data-mode> when the
  // button is pressed; the label follows.
  var names = { light: "light", dark: "dark", auto: "same as the system" };

  function labelModeButtons() {
    var mode = document.documentElement.dataset.mode || "auto";
    var label = "Colour mode: " + (names[mode] || names.auto);
    document.querySelectorAll(".theme-switch-button").forEach(function (button) {
      button.setAttribute("aria-label", label);
    });
  }

  // Boxes that scroll sideways (wide tables; charts on a phone, see amudarya.css) must be
  // reachable by keyboard, or a reader without a mouse or touch cannot see their right-hand
  // side (axe scrollable-region-focusable). A box that fits is left alone, so the tab order
  // only gains stops where there is something to scroll to.
  var SCROLL_BOXES = ".cell_output, .cell_output .output.text_html";

  // Sizes are read in a ResizeObserver's callback, which the browser calls once it has laid the
  // page out anyway: reading scrollWidth from a script before then made it lay out the whole
  // page an extra time (on the disputes page, Lighthouse counted seconds of it on a phone). The
  // observer also calls back when a chart arrives or the window changes size.
  var boxNames = new Map();

  function nameBoxes(boxes) {
    // Each region's name is unique on the page (axe landmark-unique): a table is named by its
    // caption, and otherwise by its place among the page's charts or tables ("Chart 2").
    var counts = {};
    boxes.forEach(function (box) {
      var what = box.querySelector("table") ? "Table" : box.querySelector("img") ? "Chart" : "Output";
      counts[what] = (counts[what] || 0) + 1;
      var caption = box.querySelector("caption");
      boxNames.set(box, what + " " + counts[what] + (caption ? ": " + caption.textContent.trim() : ""));
    });
  }

  function markScrollBoxes(entries) {
    var scrolls = entries.map(function (entry) {
      return entry.target.scrollWidth > entry.target.clientWidth + 1;
    });
    entries.forEach(function (entry, i) {
      var box = entry.target;
      if (scrolls[i] && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", boxNames.get(box) + ", scrolls sideways");
        box.dataset.amudaryaScrollBox = "";
      } else if (!scrolls[i] && box.dataset.amudaryaScrollBox !== undefined) {
        ["tabindex", "role", "aria-label", "data-amudarya-scroll-box"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  function makeScrollBoxesFocusable() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(SCROLL_BOXES));
    nameBoxes(boxes);
    var observer = new ResizeObserver(markScrollBoxes);
    boxes.forEach(function (box) {
      observer.observe(box);
    });
  }

  // The sidebar buttons. Each page has two of each: one in the theme's top bar (pydata-sphinx-
  // theme, hidden below 992px) and one in the article's own header (sphinx-book-theme), the
  // one a reader sees. Both themes' scripts listen only to the first in the page
  // (querySelector), so the visible buttons did nothing: on a phone the table of contents and
  // "on this page" could not be opened, and on a desktop the sidebar could not be folded
  // away. A click on any other copy is passed to the one the themes listen to.
  function forwardSidebarToggles() {
    ["primary-toggle", "secondary-toggle"].forEach(function (name) {
      var wired = document.querySelector("." + name);
      document.querySelectorAll("." + name).forEach(function (button) {
        if (button === wired) {
          return;
        }
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          wired.click();
        });
      });
    });
  }

  // Tables shown as cards on a phone (amudarya.css; the cells' column names are written into
  // the HTML at build time): some browsers stop announcing a table as one once CSS displays
  // its parts as blocks, so the table states its roles. HTML does not allow these roles in
  // the markup of a table, so they are set here.
  // A few rows at a time, each batch in its own task when the browser is idle: the disputes
  // page has thousands of cells, and giving them all their roles in one task blocked the page
  // for half a second on a phone (Lighthouse's total blocking time).
  var ROWS_PER_TASK = 40;

  function giveTableRoles() {
    var later = window.requestIdleCallback || function (task) {
      return window.setTimeout(task, 0);
    };
    var rows = [];
    document.querySelectorAll("table.amudarya-cards").forEach(function (table) {
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody").forEach(function (group) {
        group.setAttribute("role", "rowgroup");
      });
      rows.push.apply(rows, table.querySelectorAll("tr"));
    });
    function batch() {
      rows.splice(0, ROWS_PER_TASK).forEach(function (row) {
        row.setAttribute("role", "row");
        row.querySelectorAll("th").forEach(function (cell) {
          cell.setAttribute("role", "columnheader");
        });
        row.querySelectorAll("td").forEach(function (cell) {
          cell.setAttribute("role", "cell");
        });
      });
      if (rows.length) {
        later(batch);
      }
    }
    later(batch);
  }

  function start() {
    giveTableRoles();
    labelModeButtons();
    forwardSidebarToggles();
    makeScrollBoxesFocusable();
    new MutationObserver(labelModeButtons).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-mode"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
