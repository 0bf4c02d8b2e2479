// The shop connection pages' two small behaviours (the CSP allows no inline script):
// - the new-connection form shows only the chosen shop's address hint and credential fields
//   (the others are disabled, so their boxes are not sent); without this script all are shown;
// - a sync page whose import is running reloads itself every 2 s until it is done.
(function () {
  "use strict";

  var kind = document.getElementById("connection-kind");
  if (kind) {
    var show = function () {
      var chosen = kind.value;
      document.querySelectorAll("[data-kind]").forEach(function (el) {
        var mine = el.getAttribute("data-kind") === chosen;
        el.hidden = !mine;
        el.querySelectorAll("input").forEach(function (input) { input.disabled = !mine; });
      });
    };
    kind.addEventListener("change", show);
    show();
  }

  var sync = document.getElementById("connection-sync");
  if (sync && sync.getAttribute("data-running") === "true") {
    window.setTimeout(function () {
      // Drop ?done= so the notice of the post that started it is not repeated for ever.
      window.location.replace(window.location.pathname);
    }, 2000);
  }
})();
