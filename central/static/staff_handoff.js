// The staff page of a phone handoff: poll its status and, once the citizen's phone has opened it
// (or it ended), show the page that asks "is it their phone?". Without script, the button does it.
(function () {
  "use strict";
  var wait = document.querySelector("[data-handoff]");
  if (!wait || !window.fetch) { return; }
  var id = wait.getAttribute("data-handoff");
  function check() {
    fetch("/staff/handoffs/" + id + "/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : { status: "unknown" }; })
      .then(function (body) {
        if (body.status === "pending" || body.status === "slow_down") {
          window.setTimeout(check, 3000);
        } else {
          window.location.assign("/staff/handoffs/" + id);
        }
      })
      .catch(function () { window.setTimeout(check, 5000); });
  }
  window.setTimeout(check, 3000);
})();
