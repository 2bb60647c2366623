// The processing page asks the portal again, after 2, 3, 5, 8 … seconds, for at most about
// three minutes; when the gift's state changes, the new words replace the old ones inside the
// polite live region, so a screen reader hears the change once instead of a page reloading.
// Without script the "Check again" link does the same by hand.
(function () {
  "use strict";
  var region = document.getElementById("gift-status");
  if (!region || !window.fetch || !window.DOMParser) return;
  var waits = [2, 3, 5, 8, 13, 21, 34, 55, 60];
  var step = 0;

  function giveUp() {
    var note = region.querySelector(".gave-up");
    if (note) note.hidden = false;
  }

  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("gift-status");
        if (fresh && fresh.dataset.status !== region.dataset.status) {
          region.dataset.status = fresh.dataset.status;
          region.innerHTML = fresh.innerHTML;
          document.title = new DOMParser().parseFromString(html, "text/html").title;
          if (fresh.dataset.status !== "open" && fresh.dataset.status !== "processing") return;
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (step >= waits.length) return giveUp();
    window.setTimeout(check, waits[step++] * 1000);
  }

  schedule();
})();
