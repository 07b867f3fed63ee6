/* Draw the plotly figures of a page. Each <div data-chart="ID"> takes its figure from the JSON that
   Django's json_script put in <script type="application/json" id="ID">: no inline script, so the
   strict Content-Security-Policy holds. */
(function () {
  "use strict";

  var TICK_PX = 70; // a yyyy-mm-dd tick label (about 60 px) and the space beside it

  function figureOf(element) {
    var source = document.getElementById(element.dataset.chart);
    // Parsed afresh for each drawing: plotly writes what it works out into the layout it is given.
    return source ? JSON.parse(source.textContent) : null;
  }

  // A printout's chart has the sheet's fixed width (monitoring/overview/print_layout.py), wider
  // than a phone: there it ran off the screen's right edge (nurse14 #15). On a screen narrower
  // than the sheet it is drawn as wide as its box, its dates level and as many as fit; printed, it
  // has the sheet's layout, unchanged.
  function isPrintout(layout) {
    return layout.autosize === false && layout.width > 0;
  }

  function narrowed(element, layout) {
    var room = element.clientWidth;
    if (!isPrintout(layout) || window.matchMedia("print").matches || !(room > 0 && room < layout.width)) {
      return null;
    }
    var margin = layout.margin || {};
    var plotted = room - (margin.l || 80) - (margin.r || 80);
    // The margins as given, the plot where they put it: plotly would widen the bottom margin for
    // the wrapped legend alone, leaving the dates under it (roomForLegend makes room for both).
    var fitted = Object.assign({}, layout, {
      width: room,
      margin: Object.assign({}, margin, { autoexpand: false })
    });
    Object.keys(layout).forEach(function (key) {
      if (/^xaxis\d*$/.test(key) && layout[key].type === "date") {
        fitted[key] = Object.assign({}, layout[key], {
          tickangle: 0,
          nticks: Math.max(2, Math.floor(plotted / TICK_PX))
        });
      }
    });
    return fitted;
  }

  // The legend below a narrowed chart wraps onto more rows than the sheet's band holds, over the
  // dates: the chart grows by what it lacks, the plot keeping its height.
  function roomForLegend(element) {
    var legend = element.querySelector(".legend");
    var ticks = element.querySelectorAll(".xtick text");
    if (!legend || !ticks.length) {
      return null;
    }
    var lowest = Math.max.apply(null, Array.prototype.map.call(ticks, function (tick) {
      return tick.getBoundingClientRect().bottom;
    }));
    var lacking = Math.ceil(lowest + 4 - legend.getBoundingClientRect().top);
    if (lacking <= 0) {
      return null;
    }
    var layout = element.layout;
    return window.Plotly.relayout(element, {
      height: layout.height + lacking,
      "margin.b": layout.margin.b + lacking
    });
  }

  function draw(element, forPrint) {
    var figure = figureOf(element);
    if (!figure || !window.Plotly) {
      return;
    }
    var fitted = forPrint ? null : narrowed(element, figure.layout);
    element.dataset.narrowed = fitted ? "true" : "";
    window.Plotly.react(element, figure.data, fitted || figure.layout, figure.config)
      .then(function () {
        return fitted ? roomForLegend(element) : null;
      })
      .then(function () {
        element.dataset.drawn = "true";
      });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      draw(element, false);
    });
  }

  // Printing changes the page width: let each chart fit the sheet, a narrowed printout's chart
  // drawn at the sheet's size again, and narrowed once more after printing.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(function (element) {
      if (element.dataset.narrowed) {
        element.dataset.narrowAfterPrint = "true";
        draw(element, true);
      } else {
        window.Plotly.Plots.resize(element);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("[data-narrow-after-print]").forEach(function (element) {
      delete element.dataset.narrowAfterPrint;
      draw(element, false);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
