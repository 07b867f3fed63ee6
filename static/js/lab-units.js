/* The lab result's edit form offers the units of its analyte only, as the new-results form does
   (nurse14 #13): when the analyte is changed, its unit box is given that analyte's units (read
   from the analyte box's data-units-of, which the server writes from the accepted units). A unit
   still accepted stays chosen; an analyte with one unit has it chosen; otherwise the box asks
   for a unit. The server checks the unit again on saving. A file, not inline script (strict
   Content-Security-Policy). */
(function () {
  "use strict";

  var analyte = document.querySelector("select[data-units-of]");
  var unit = analyte && analyte.form.querySelector("select[data-lab-unit]");
  if (!unit) {
    return;
  }
  var unitsOf = JSON.parse(analyte.getAttribute("data-units-of"));

  function option(value, text) {
    var choice = document.createElement("option");
    choice.value = value;
    choice.textContent = text;
    return choice;
  }

  function offer() {
    var units = unitsOf[analyte.value] || [];
    var kept = units.indexOf(unit.value) >= 0 ? unit.value : "";
    unit.replaceChildren();
    if (units.length > 1) {
      unit.appendChild(option("", "unit…"));
    }
    units.forEach(function (name) {
      unit.appendChild(option(name, name));
    });
    unit.value = kept || (units.length === 1 ? units[0] : "");
  }

  analyte.addEventListener("change", offer);
})();
