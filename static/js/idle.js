/* Idle timer: when the server's idle limit has passed, blank the page and open the login page, so
   a screen left open shows no patient data after the session has ended. A file, not inline script
   (strict Content-Security-Policy); the server renders the seconds left on its script tag. */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Number(script.getAttribute("data-idle-seconds"));
  var loginUrl = script.getAttribute("data-idle-login-url");
  var login = script.getAttribute("data-idle-session");
  if (!(seconds > 0) || !loginUrl || !login) {
    return;
  }
  // One second late rather than early: the server's expiry is measured from before this page.
  var deadline = Date.now() + seconds * 1000 + 1000;
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

  try {
    for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(PREFIX) === 0 && name !== KEY) {
        window.localStorage.removeItem(name);
      }
    }
    if (deadline > shared()) {
      window.localStorage.setItem(KEY, String(deadline));
    }
  } catch (error) {
    // Storage refused (private mode): this tab keeps its own deadline.
  }

  function expire() {
    document.body.replaceChildren();
    document.title = "bonehealth";
    var next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.replace(loginUrl + "?next=" + next.replace(/%2F/g, "/"));
  }

  function check() {
    var now = Date.now();
    var until = Math.max(deadline, shared());
    if (now >= until) {
      expire();
    } else {
      window.setTimeout(check, Math.min(until - now, 30000));
    }
  }

  window.setTimeout(check, seconds * 1000 + 1000);
})();
