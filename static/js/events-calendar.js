// "Mes inscriptions": copy the calendar subscription link. The button stays hidden without
// JavaScript (the field is selectable); the result is announced in a status region.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyFrom);
    var status = document.getElementById(button.dataset.copiedStatus);
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = status.dataset.copiedText;
        },
        function () {
          field.select();
          status.textContent = status.dataset.failedText;
        }
      );
    });
  });
})();
