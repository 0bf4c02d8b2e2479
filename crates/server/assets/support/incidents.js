// The incidents page (/support/incidents) is plain HTML with a GET form; this only wires the
// desk's shared keyboard help ("?") so it works here as on the desk's other pages.
"use strict";
(function () {
  if (window.supportDesk) window.supportDesk.shortcuts({});
})();
