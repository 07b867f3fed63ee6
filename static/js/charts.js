/* Draw the plotly figures of a page. Each <div data-chart="ID"> takes its figure from the JSON that
   Django's json_script put in <script type="application/json" id="ID">: no inline script, so the
   strict Content-Security-Policy holds. */
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config).then(function () {
      element.dataset.drawn = "true";
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  // Printing changes the page width: let each chart fit the sheet.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(function (element) {
      window.Plotly.Plots.resize(element);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
