/* The "Print" button of the printouts (no inline onclick: strict Content-Security-Policy). */
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest("[data-action='print']")) {
    window.print();
  }
});
