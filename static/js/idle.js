/* Idle timer: when the server's idle limit has passed, blank the page and open the login page, so
   a screen left open shows no patient data after the session has ended. A file, not inline script
   (strict Content-Security-Policy); the server renders the seconds left on its script tag.

   Typing into a form sends no request, so it would not count as activity: on the user's own input
   (keydown, input, change) the page asks the keep-alive URL, at most once per renewal interval,
   and the server renews the idle expiry as for any page. A page nobody touches is still signed
   out at the idle limit; shortly before, it says when, so a user who stepped away can come back.
   The seconds the server gives are those to the sooner of the idle and the absolute limit
   (security8 N2), so the warning comes before the absolute sign-out too. */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Number(script.getAttribute("data-idle-seconds"));
  var loginUrl = script.getAttribute("data-idle-login-url");
  var login = script.getAttribute("data-idle-session");
  var keepAliveUrl = script.getAttribute("data-idle-keep-alive-url");
  var renewMs = Number(script.getAttribute("data-idle-renew-seconds")) * 1000 || 60000;
  if (!(seconds > 0) || !loginUrl || !login) {
    return;
  }
  // The warning comes two minutes before the limit (a third of it for a very short limit).
  var WARN_MS = Math.min(120000, (seconds * 1000) / 3);
  // One second late rather than early: the server's expiry is measured from before this page.
  var deadline = Date.now() + seconds * 1000 + 1000;
  // The page's own request counts as the last renewal the server may have made.
  var lastAsked = Date.now();
  var asking = false;
  var timer = null;
  var warning = null;
  // Tabs of one browser share the session: a page loaded later in another tab extends it. The key
  // names this login, so the deadline of an earlier login (or another user's) extends nothing.
  var PREFIX = "bonehealth-idle-";
  var KEY = PREFIX + login;

  function shared() {
    try {
      return Number(window.localStorage.getItem(KEY)) || 0;
    } catch (error) {
      return 0;
    }
  }

  function share(until) {
    try {
      if (until > shared()) {
        window.localStorage.setItem(KEY, String(until));
      }
    } catch (error) {
      // Storage refused (private mode): this tab keeps its own deadline.
    }
  }

  try {
    for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(PREFIX) === 0 && name !== KEY) {
        window.localStorage.removeItem(name);
      }
    }
  } catch (error) {
    // As above.
  }
  share(deadline);

  function expire() {
    document.body.replaceChildren();
    document.title = "bonehealth";
    var next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.replace(loginUrl + "?next=" + next.replace(/%2F/g, "/"));
  }

  function clock(time) {
    var at = new Date(time);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(at.getHours()) + ":" + pad(at.getMinutes());
  }

  function warn(until) {
    if (!warning) {
      warning = document.createElement("div");
      warning.className = "alert alert-warning idle-warning shadow";
      warning.setAttribute("role", "alert");
      warning.setAttribute("data-testid", "idle-warning");
      var text = document.createElement("span");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-primary ms-2";
      button.textContent = "Stay signed in";
      button.addEventListener("click", function () { ask(true); });
      warning.append(text, button);
      document.body.append(warning);
    }
    // Signed out at the minute's end at the latest: the clock shows the minute it happens in.
    warning.firstChild.textContent =
      "Nothing has been typed or opened for a while, or the session nears its time limit: you " +
      "will be signed out at " + clock(until) + ", and anything not saved will be lost. Keep " +
      "working (type, or open a page) to stay signed in, up to the time limit.";
  }

  function unwarn() {
    if (warning) {
      warning.remove();
      warning = null;
    }
  }

  function check() {
    var now = Date.now();
    var until = Math.max(deadline, shared());
    if (now >= until) {
      expire();
      return;
    }
    if (until - now <= WARN_MS) {
      warn(until);
    } else {
      unwarn();
    }
    var next = until - now > WARN_MS ? until - now - WARN_MS : until - now;
    timer = window.setTimeout(check, Math.min(next, 30000));
  }

  function renewed(answer) {
    if (answer && answer.signed_in && answer.idle_seconds_left > 0) {
      deadline = Math.max(deadline, Date.now() + answer.idle_seconds_left * 1000 + 1000);
      share(deadline);
      window.clearTimeout(timer);
      check();
    } else if (answer && answer.signed_in === false) {
      expire(); // ended elsewhere (logout in another tab, an administrator): say so now
    }
  }

  function ask(now) {
    if (!keepAliveUrl || asking || (!now && Date.now() - lastAsked < renewMs)) {
      return;
    }
    asking = true;
    lastAsked = Date.now();
    window.fetch(keepAliveUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return json ? response.json() : null;
    }).then(renewed, function () {
      // The server did not answer (network): the deadline stands; the next input asks again.
      lastAsked = 0;
    }).then(function () {
      asking = false;
    });
  }

  function onInput(event) {
    if (event.isTrusted) { // the user's own, not a script's
      ask(false);
    }
  }

  ["keydown", "input", "change"].forEach(function (type) {
    document.addEventListener(type, onInput, true);
  });
  timer = window.setTimeout(check, Math.max(seconds * 1000 + 1000 - WARN_MS, 0));
})();
