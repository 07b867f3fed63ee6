/* The lab forms' adjusted calcium, shown as a total calcium and its albumin are typed (nurse13 #3):
   the value the server will store as the calcium result, worked out with the same formula and
   numbers (monitoring/domain/calcium_adjustment.py; the slopes and the reference albumin come from
   thresholds.py through the data attributes of #adjusted-calcium). Exact decimal arithmetic in
   whole millionths, rounded to 0.01 half away from zero, as the server rounds it. The server
   checks everything again; a value it refuses is refused beside its box after saving. A file, not
   inline script (strict Content-Security-Policy). */
(function () {
  "use strict";

  var preview = document.getElementById("adjusted-calcium");
  if (!preview) {
    return;
  }
  var form = preview.closest("form");
  var blank = preview.getAttribute("data-blank");

  function box(name) {
    return form.querySelector("[name='" + name + "']");
  }

  // "2,10" or "2.10" as a whole number of thousandths (2100); null when not a plain number with
  // at most three decimals.
  function thousandths(text) {
    var match = /^(\d+)(?:[.,](\d{0,3}))?$/.exec((text || "").trim());
    if (!match) {
      return null;
    }
    var fraction = ((match[2] || "") + "000").slice(0, 3);
    return parseInt(match[1], 10) * 1000 + parseInt(fraction, 10);
  }

  // A number as typed, a decimal comma written as the point the server's words use.
  function typed(name) {
    return box(name).value.trim().replace(",", ".");
  }

  function show() {
    var total = thousandths(box("total_calcium").value);
    var albumin = thousandths(box("albumin").value);
    var unit = box("total_calcium_unit").value;
    var albuminUnit = box("albumin_unit").value;
    var adjustedBox = box(preview.getAttribute("data-adjusted-field"));
    var slope = thousandths(preview.getAttribute(unit === "mg/dL" ? "data-slope-mg-dl" : "data-slope-mmol-l"));
    var reference = thousandths(preview.getAttribute("data-reference-g-l"));
    if (total === null || albumin === null || !unit || !albuminUnit || (adjustedBox && adjustedBox.value.trim())) {
      preview.textContent = blank;
      return;
    }
    var albuminGL = albuminUnit === "g/dL" ? albumin * 10 : albumin;
    var low = thousandths(preview.getAttribute("data-albumin-low-g-l"));
    var high = thousandths(preview.getAttribute("data-albumin-high-g-l"));
    if (albuminGL < low || albuminGL > high) {
      preview.textContent = preview.getAttribute("data-implausible");
      return;
    }
    var millionths = total * 1000 + slope * (reference - albuminGL);
    var sign = millionths < 0 ? -1 : 1;
    var hundredths = sign * Math.floor((Math.abs(millionths) + 5000) / 10000);
    preview.textContent =
      "Adjusted calcium to be stored: " + (hundredths / 100).toFixed(2) + " " + unit +
      " (from total calcium " + typed("total_calcium") + " " + unit + " and albumin " +
      typed("albumin") + " " + albuminUnit + ").";
  }

  ["total_calcium", "total_calcium_unit", "albumin", "albumin_unit", preview.getAttribute("data-adjusted-field")].forEach(
    function (name) {
      var input = box(name);
      if (input) {
        input.addEventListener("input", show);
        input.addEventListener("change", show);
      }
    }
  );
  show();
})();
