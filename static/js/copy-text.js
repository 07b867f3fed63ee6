/* Copy text shown read-only (templates/_unsaved_text.html: a note or a reason that was not
   saved) to the clipboard, so that it can be kept elsewhere. The button is hidden in the page and
   shown here, so that without script no button does nothing; the text can always be selected and
   copied by hand. A file, not inline script (strict Content-Security-Policy), included on every
   page by the base template. */
(function () {
  "use strict";

  function say(button, words) {
    var done = button.parentElement.querySelector("[data-copy-done]");
    if (done) {
      done.textContent = words;
    }
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(event) {
    var button = event.currentTarget;
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source) {
      return;
    }
    var text = source.innerText;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          say(button, "Copied.");
        },
        function () {
          selectText(source);
          say(button, "Selected: press Ctrl+C (or Cmd+C) to copy.");
        }
      );
      return;
    }
    selectText(source);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Copied." : "Selected: press Ctrl+C (or Cmd+C) to copy.");
  }

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", copy);
  });
})();
