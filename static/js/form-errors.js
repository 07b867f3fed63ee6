/* A refused form says so at the top (nurse10 F9). The page of a refused form opens scrolled to the
   top, its errors beside fields that may be screens below on a phone; the server draws a summary
   ("Not saved: 2 problems below", templates/bootstrap5/errors.html) at the top of the form, and
   this moves the focus to it, so that it is scrolled into view and a screen reader reads it, and
   names the page "Not saved" in its title (the tab, the history). Each link of the summary puts
   the focus in its field, its label in view. A file, not inline script (strict
   Content-Security-Policy), included on every page by the base template. */
(function () {
  "use strict";

  function fieldOf(link) {
    var input = document.getElementById(link.getAttribute("data-error-field"));
    return input && !input.disabled ? input : null;
  }

  function focusField(event) {
    var input = fieldOf(event.currentTarget);
    if (!input) {
      return; // the link's own jump
    }
    event.preventDefault();
    var wrapper = input.closest("[id^='div_'], fieldset") || input;
    wrapper.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  }

  function show() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.querySelectorAll("a[data-error-field]").forEach(function (link) {
      link.addEventListener("click", focusField);
    });
    var heading = summary.firstElementChild;
    if (heading && document.title.indexOf(heading.textContent) !== 0) {
      document.title = heading.textContent.trim() + " · " + document.title;
    }
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
