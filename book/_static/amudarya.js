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

  function makeScrollBoxesFocusable() {
    document.querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var what = box.querySelector("table") ? "Table" : box.querySelector("img") ? "Chart" : "Output";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", what + ", scrolls sideways");
        box.dataset.amudaryaScrollBox = "";
      } else if (!scrolls && box.dataset.amudaryaScrollBox !== undefined) {
        ["tabindex", "role", "aria-label", "data-amudarya-scroll-box"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
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

  // Tables from publish.show_table on a phone: a reading list of five text columns cannot be
  // read as a grid 350 pixels wide (rows grew to a screen's height), so amudarya.css shows
  // each row as a card with each value under its column's name. Here each cell gets that
  // name, and the table keeps explicit table roles, because some browsers stop announcing a
  // table as one once CSS displays its parts as blocks. Without this script the table stays
  // a grid that scrolls sideways.
  function prepareTableCards() {
    document.querySelectorAll("table.amudarya-table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody").forEach(function (group) {
        group.setAttribute("role", "rowgroup");
      });
      table.querySelectorAll("tr").forEach(function (row) {
        row.setAttribute("role", "row");
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (cell.tagName === "TH") {
            cell.setAttribute("role", "columnheader");
          } else {
            cell.setAttribute("role", "cell");
            if (names[i]) {
              cell.dataset.label = names[i];
            }
          }
        });
      });
      table.classList.add("amudarya-cards");
    });
  }

  function start() {
    prepareTableCards();
    labelModeButtons();
    forwardSidebarToggles();
    makeScrollBoxesFocusable();
    // Images change the width of their box when they arrive; windows change size.
    window.addEventListener("load", makeScrollBoxesFocusable);
    window.addEventListener("resize", makeScrollBoxesFocusable);
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
