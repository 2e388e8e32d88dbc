// The slip page's print button (the page's CSP allows no inline script).
(function () {
  "use strict";
  var button = document.getElementById("print-slip");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
