/* Printing opens the charts' "Voir les données" disclosures and the cockpit's parts, so that
   paper keeps each chart's data table and every row, and closes again those it opened once
   printing is done. The print stylesheets do the same where the browser knows
   ::details-content; this covers the others. */
(function () {
  "use strict";

  var opened = [];

  window.addEventListener("beforeprint", function () {
    var closed = "details.chart-data:not([open]), details.cockpit-more:not([open])";
    document.querySelectorAll(closed).forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });

  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
  });
})();
