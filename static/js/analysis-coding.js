/* Coding by keyboard (templates/analysis/coding.html): on a text (a focusable article), the
   key of a code toggles it (POST to the text's address, as htmx would: the text's codes come
   back as a fragment), announced in the page's live region; the up and down arrows move from
   one text to the next. Without this script, each text keeps its own form. */
(function () {
  "use strict";
  var list = document.querySelector("[data-coding]");
  if (!list) {
    return;
  }
  var live = document.getElementById("annonce-codage");
  var shortcuts = {};
  document.querySelectorAll("[data-shortcut]").forEach(function (el) {
    shortcuts[el.getAttribute("data-shortcut")] = el.getAttribute("data-code-id");
  });
  var tokenField = document.querySelector("input[name=csrfmiddlewaretoken]");

  function announce(message) {
    if (!live || !message) {
      return;
    }
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  function textOf(html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    return (box.textContent || "").trim();
  }

  function toggle(row, codeId) {
    var body = new URLSearchParams();
    body.set("code", codeId);
    body.set("action", "toggle");
    fetch(row.getAttribute("data-text-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": tokenField ? tokenField.value : "",
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    })
      .then(function (response) {
        return response.text().then(function (html) {
          return { ok: response.ok, html: html };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          announce(textOf(result.html));
          return;
        }
        var codes = row.querySelector(".text-codes");
        var holder = document.createElement("div");
        holder.innerHTML = result.html.trim();
        var fresh = holder.firstElementChild;
        if (codes && fresh) {
          codes.replaceWith(fresh);
          if (window.htmx) {
            window.htmx.process(fresh);
          }
          announce(fresh.getAttribute("data-announcement"));
        }
      })
      .catch(function () {
        announce("Le code n’a pas pu être enregistré ; réessayez.");
      });
  }

  list.addEventListener("keydown", function (event) {
    var row = event.target;
    if (!row.matches || !row.matches("[data-text-url]")) {
      return; // in a field or a button of the text: its keys are its own
    }
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var rows = Array.prototype.slice.call(list.querySelectorAll("[data-text-url]"));
      var next = rows[rows.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        event.preventDefault();
        next.focus();
      }
      return;
    }
    var codeId = shortcuts[(event.key || "").toLowerCase()];
    if (codeId) {
      event.preventDefault();
      toggle(row, codeId);
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail && event.detail.elt;
    var codes = swapped && swapped.closest ? swapped.closest(".text-codes") : null;
    codes = codes || document.querySelector(".text-codes[data-announcement]:not([data-announcement=''])");
    if (codes) {
      announce(codes.getAttribute("data-announcement"));
    }
  });
})();
