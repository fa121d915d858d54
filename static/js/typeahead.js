/* Type-ahead pickers (caflab/core/typeahead.py): fills an input's <datalist> from its JSON
   endpoint while one types, and announces the number of suggestions in a polite live region.
   The <datalist> is the browser's own combobox (arrow keys, Enter, Escape); without this
   script the input still takes typed text, which the server resolves. */
(function () {
  "use strict";

  var DELAY = 250;

  function format(template, n) {
    return (template || "").replace("%(n)s", String(n));
  }

  function setup(input) {
    if (input.dataset.typeaheadReady) {
      return;
    }
    input.dataset.typeaheadReady = "1";
    var list = document.getElementById(input.getAttribute("list"));
    var status = document.getElementById(input.dataset.typeaheadStatus);
    var url = input.dataset.typeahead;
    var min = parseInt(input.dataset.typeaheadMin || "2", 10);
    var timer = null;
    var controller = null;
    var last = null;

    function announce(results, more) {
      if (!status) {
        return;
      }
      var text;
      if (more) {
        text = format(status.dataset.more, results.length);
      } else if (results.length === 0) {
        text = status.dataset.none;
      } else if (results.length === 1) {
        text = status.dataset.one;
      } else {
        text = format(status.dataset.many, results.length);
      }
      status.textContent = text;
    }

    function show(results, more) {
      var options = results.map(function (result) {
        var option = document.createElement("option");
        option.value = result.value;
        if (result.label) {
          option.label = result.label;
          option.textContent = result.label;
        }
        return option;
      });
      list.replaceChildren.apply(list, options);
      announce(results, more);
    }

    function load() {
      var text = input.value.trim();
      if (text === last) {
        return;
      }
      last = text;
      if (controller) {
        controller.abort();
      }
      if (text.length < min) {
        list.replaceChildren();
        return;
      }
      controller = new AbortController();
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [], more: false };
        })
        .then(function (data) {
          // A stale answer (the text changed meanwhile) is dropped.
          if (input.value.trim() === text) {
            show(data.results || [], Boolean(data.more));
          }
        })
        .catch(function () {
          /* aborted or offline: the input keeps working as plain text */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, DELAY);
    });
  }

  function init(root) {
    root.querySelectorAll("input[data-typeahead]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
})();
