/* After a form is sent back with errors: the page title starts with "Erreur :" (the words are
   given by <body data-error-title>, translated) and the focus moves to the error summary
   (#resume-erreurs, from components/form_errors.html or a page's own summary), so a screen
   reader says at once that something is to correct, and where. One place for every form. */
(function () {
  "use strict";

  function flag() {
    var summary = document.getElementById("resume-erreurs");
    var prefix = document.body.dataset.errorTitle;
    if (!summary || !prefix) {
      return;
    }
    if (document.title.indexOf(prefix) !== 0) {
      document.title = prefix + " " + document.title;
    }
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", flag);
  } else {
    flag();
  }
})();
