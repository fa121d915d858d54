/* Printing opens the charts' "Voir les données" disclosures, so that paper keeps each chart's
   data table, and closes again those it opened once printing is done. The print stylesheet
   does the same where the browser knows ::details-content; this covers the others. */
(function () {
  "use strict";

  var opened = [];

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (details) {
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
