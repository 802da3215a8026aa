// Progressive enhancement for the hosted screens. Every screen works
// without this file; it only adds the password show/hide checkbox.
(function () {
  "use strict";
  function init() {
    var boxes = document.querySelectorAll("input[data-reveal]");
    Array.prototype.forEach.call(boxes, function (box) {
      var input = document.getElementById(box.getAttribute("data-reveal"));
      if (!input) { return; }
      box.parentNode.hidden = false;
      box.addEventListener("change", function () {
        input.type = box.checked ? "text" : "password";
      });
      if (input.form) {
        input.form.addEventListener("submit", function () { input.type = "password"; });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
