/* Wide tables scroll inside their own region, never the page (WCAG 1.4.10, reflow at 320 px).
   Every table of <main> not already in a `.table-responsive` is wrapped in one. A region that
   really scrolls becomes a labelled, keyboard-focusable region (named by the table's caption,
   else by the table's own name), so that it can be scrolled with the arrow keys; one that fits
   stays a plain block (no useless tab stop). Checked again when the window is resized and after
   htmx swaps content in. No JavaScript: the table is as before. */
(function () {
  "use strict";

  var counter = 0;

  function nameRegion(region, table) {
    var caption = table.querySelector(":scope > caption");
    if (caption) {
      if (!caption.id) {
        counter += 1;
        caption.id = "tableau-legende-" + counter;
      }
      region.setAttribute("aria-labelledby", caption.id);
    } else if (table.getAttribute("aria-labelledby")) {
      region.setAttribute("aria-labelledby", table.getAttribute("aria-labelledby"));
    } else if (table.getAttribute("aria-label")) {
      region.setAttribute("aria-label", table.getAttribute("aria-label"));
    }
  }

  function update(region) {
    var named = region.hasAttribute("aria-labelledby") || region.hasAttribute("aria-label");
    if (region.scrollWidth > region.clientWidth + 1) {
      region.tabIndex = 0;
      if (named) {
        region.setAttribute("role", "region");
      }
    } else if (region.classList.contains("table-region")) {
      region.removeAttribute("tabindex");
      region.removeAttribute("role");
    }
  }

  function wrap(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var region = table.parentElement;
      if (!region.classList.contains("table-responsive")) {
        region = document.createElement("div");
        region.className = "table-responsive";
        table.parentNode.insertBefore(region, table);
        region.appendChild(table);
      }
      if (!region.classList.contains("table-region")) {
        region.classList.add("table-region");
        if (!region.hasAttribute("aria-labelledby") && !region.hasAttribute("aria-label")) {
          nameRegion(region, table);
        }
      }
      update(region);
    });
  }

  function updateAll() {
    document.querySelectorAll(".table-region").forEach(update);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(updateAll, 100);
  });
  document.addEventListener("htmx:afterSettle", function () {
    wrap(document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wrap(document); });
  } else {
    wrap(document);
  }
})();
