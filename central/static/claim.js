// Posts the handoff secret from the URL fragment (it never reaches server logs or Referer), then
// removes it from the address bar and history. Without a fragment the typed-code form stays.
(function () {
  "use strict";
  var secret = window.location.hash.slice(1);
  var form = document.getElementById("claim-form");
  if (!secret || !form) { return; }
  history.replaceState(null, "", window.location.pathname + window.location.search);
  document.getElementById("claim-secret").value = secret;
  document.getElementById("claim-typed").hidden = true;
  document.getElementById("claim-auto").hidden = false;
  form.submit();
})();
