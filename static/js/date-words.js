/* Every date box read back in words ("14 March 1958") under it, as it is typed or picked
   (nurse14 #16). A date box shows its day and month in the order of the browser's language, not
   the page's: on a month-first browser 14/03/1958 typed day first was stored as 1958-12-03, and
   nothing on the form said so before saving. The words are written from the box's value (always
   yyyy-mm-dd, whatever the browser shows), so they are the date that will be saved: on opening an
   edit form they read the saved date, on a form sent back with errors the date that was sent.
   A screen reader announces them as they change (aria-live) and reads them with the box
   (aria-describedby). The boxes are those the date widget marks (`data-date-words`,
   bonehealth/audit/forms.py). A file, not inline script (strict Content-Security-Policy),
   included on every page by the base template. */
(function () {
  "use strict";

  var MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"
  ];

  function daysIn(year, month) {
    var leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  }

  // "1958-03-14" as "14 March 1958"; "" for no date (an empty box, or one half typed: a date
  // box's value stays empty until the day, the month and the year are all there).
  function words(value) {
    var match = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!match) {
      return "";
    }
    var year = parseInt(match[1], 10);
    var month = parseInt(match[2], 10);
    var day = parseInt(match[3], 10);
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
      return "";
    }
    return day + " " + MONTHS[month - 1] + " " + year;
  }

  function describedBy(input, id) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) === -1) {
      ids.push(id);
    }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function readBack(input) {
    if (input.dataset.dateWordsShown) {
      return;
    }
    input.dataset.dateWordsShown = "true";
    var line = document.createElement("div");
    line.className = "form-text date-words";
    line.id = (input.id || input.name) + "-words";
    line.setAttribute("aria-live", "polite");
    // Written before the line joins the page: a screen reader announces changes, not the saved
    // dates of a form as it opens.
    line.textContent = words(input.value);
    var group = input.closest(".input-group");
    (group || input).insertAdjacentElement("afterend", line);
    describedBy(input, line.id);

    function show() {
      var text = words(input.value);
      if (line.textContent !== text) {
        line.textContent = text;
      }
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  }

  function readAll() {
    document.querySelectorAll("input[data-date-words]").forEach(readBack);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", readAll);
  } else {
    readAll();
  }
})();
