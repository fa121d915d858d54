/* The proof of work of a busy connection (caflab.core.pow): find a counter such that
   sha256(challenge + counter) begins with N zero bits, with the browser's own crypto.subtle,
   while the respondent fills the page in. Nothing leaves the site. Sending the form waits for
   the proof; progress is announced in a live region. No inline handler (strict CSP). */
(function () {
  "use strict";

  var box = document.querySelector("[data-pow]");
  if (!box) {
    return;
  }
  var form = box.closest("form");
  var tokenInput = box.querySelector("input[name='defi']");
  var answer = box.querySelector("[data-pow-answer]");
  var status = box.querySelector("[data-pow-status]");
  var difficulty = parseInt(box.getAttribute("data-pow-difficulty"), 10) || 0;
  var BATCH = 512;
  var solved = false;
  var pending = null; // the button pressed while the proof was still being searched

  function say(name) {
    status.textContent = box.getAttribute("data-msg-" + name) || "";
  }

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      var byte = bytes[i];
      if (byte === 0) {
        bits += 8;
        continue;
      }
      while ((byte & 0x80) === 0) {
        bits += 1;
        byte <<= 1;
      }
      return bits;
    }
    return bits;
  }

  function search(encoder, token, start) {
    var batch = [];
    for (var i = 0; i < BATCH; i++) {
      batch.push(window.crypto.subtle.digest("SHA-256", encoder.encode(token + String(start + i))));
    }
    return Promise.all(batch).then(function (digests) {
      for (var j = 0; j < digests.length; j++) {
        if (zeroBits(new Uint8Array(digests[j])) >= difficulty) {
          return String(start + j);
        }
      }
      return search(encoder, token, start + BATCH);
    });
  }

  function send(button) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(button || undefined);
      return;
    }
    if (button && button.name) {
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = button.name;
      carried.value = button.value;
      form.appendChild(carried);
    }
    form.submit();
  }

  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    say("unsupported");
    return;
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter || null;
    if (solved || (button && button.name === "precedent")) {
      return; // going back needs no proof
    }
    event.preventDefault();
    pending = button || form.querySelector("button[name='suivant']");
    say("waiting");
  });

  say("working");
  search(new TextEncoder(), tokenInput.value, 0).then(
    function (counter) {
      answer.value = counter;
      solved = true;
      if (pending) {
        say("sending");
        send(pending);
      } else {
        say("done");
      }
    },
    function () {
      say("unsupported");
    }
  );
})();
