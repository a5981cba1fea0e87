// The chronology page's filter: one state (or the context) at a time, or everything.
// The list is complete without this script; the script only hides entries. It builds one
// radio button per group named in the list's data-groups ("KAZ=Kazakhstan;..."), and
// loads nothing.
(function () {
  "use strict";
  function setUp(list) {
    var groups = (list.getAttribute("data-groups") || "").split(";").filter(Boolean).map(function (pair) {
      var at = pair.indexOf("=");
      return { code: pair.slice(0, at), label: pair.slice(at + 1) };
    });
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-group]"));
    var box = document.createElement("fieldset");
    box.className = "chronology-filter";
    var legend = document.createElement("legend");
    legend.textContent = "Show";
    legend.style.fontSize = "1em";
    legend.style.fontWeight = "bold";
    box.appendChild(legend);
    var status = document.createElement("p");
    status.className = "chronology-status";
    status.setAttribute("role", "status");
    function show(code) {
      var shown = 0;
      items.forEach(function (li) {
        var on = code === "all" || li.getAttribute("data-group") === code;
        li.hidden = !on;
        if (on) { shown += 1; }
      });
      status.textContent = shown + " of " + items.length + " entries shown.";
    }
    [{ code: "all", label: "All" }].concat(groups).forEach(function (g, i) {
      var id = "chronology-filter-" + g.code;
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "chronology-filter";
      input.id = id;
      input.value = g.code;
      input.checked = i === 0;
      input.addEventListener("change", function () { show(g.code); });
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = g.label;
      var wrap = document.createElement("span");
      wrap.className = "chronology-choice";
      // One choice never breaks across lines; choices wrap between each other.
      wrap.style.display = "inline-block";
      wrap.style.marginRight = "1.25em";
      wrap.style.whiteSpace = "nowrap";
      input.style.marginRight = "0.35em";
      wrap.appendChild(input);
      wrap.appendChild(label);
      box.appendChild(wrap);
    });
    list.parentNode.insertBefore(box, list);
    list.parentNode.insertBefore(status, list);
    show("all");
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chronology]"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
