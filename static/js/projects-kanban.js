/* Kanban drag and drop, a progressive enhancement: dropping a card on the column of its next
   stage follows the card's own "request the gate" link. Without JavaScript, or with the
   keyboard, that link does the same. No inline handler anywhere (strict CSP). */
(function () {
  "use strict";

  var board = document.querySelector("[data-kanban]");
  if (!board || !("draggable" in document.createElement("div"))) {
    return;
  }
  var dragged = null;

  board.querySelectorAll(".project-card[data-gate-url]").forEach(function (card) {
    card.setAttribute("draggable", "true");
    card.classList.add("is-draggable");
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/uri-list", card.dataset.gateUrl);
      var target = board.querySelector('.kanban-column[data-stage="' + card.dataset.nextStage + '"]');
      if (target) {
        target.classList.add("is-drop-target");
      }
    });
    card.addEventListener("dragend", function () {
      dragged = null;
      board.querySelectorAll(".is-drop-target, .is-drag-over").forEach(function (column) {
        column.classList.remove("is-drop-target", "is-drag-over");
      });
    });
  });

  function accepts(column) {
    return dragged !== null && column.dataset.stage === dragged.dataset.nextStage;
  }

  board.querySelectorAll(".kanban-column").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (accepts(column)) {
        event.preventDefault();
        column.classList.add("is-drag-over");
      }
    });
    column.addEventListener("dragleave", function () {
      column.classList.remove("is-drag-over");
    });
    column.addEventListener("drop", function (event) {
      if (!accepts(column)) {
        return;
      }
      event.preventDefault();
      window.location.assign(dragged.dataset.gateUrl);
    });
  });
})();
