/* Submit once: a second submit of a form whose first is still on its way is ignored. Pressing
   Enter twice, or Save twice, would otherwise send two POSTs: the first stores the record, the
   browser abandons its answer for the second's, and the page shows the refusal of a duplicate
   ("already recorded ... entered by you seconds ago") instead of the saved message. A file, not
   inline script (strict Content-Security-Policy), included on every page by the base template.

   Only POST forms are guarded (a search may be sent again at will), and not a form marked
   data-submit-repeatable (a download leaves the page in place, to be sent again). The buttons are
   not disabled: a disabled button's name would be left out of what the form sends. The guard ends
   when the page is shown again from the back/forward cache (pageshow), and after a while in case
   the answer never comes (the user stopped the page), so a form is never locked for good. A
   refused form comes back as a new page, which starts unguarded. */
(function () {
  "use strict";
  var FLAG = "data-submitting";
  // Long enough for any double press; short enough that a stopped request can be sent again.
  var GUARD_MS = 10000;

  function guarded(form) {
    return (
      (form.getAttribute("method") || "get").toLowerCase() === "post" &&
      !form.hasAttribute("data-submit-repeatable")
    );
  }

  // Listened to on window, bubbling: every other handler (a form's own checks) has run first,
  // and a submit one of them cancelled does not start the guard.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !guarded(form)) {
      return;
    }
    if (form.hasAttribute(FLAG)) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    form.setAttribute(FLAG, "");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      release(form);
    }, GUARD_MS);
  });

  function release(form) {
    form.removeAttribute(FLAG);
    form.removeAttribute("aria-busy");
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[" + FLAG + "]").forEach(release);
    }
  });
})();
