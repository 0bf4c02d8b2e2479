// The mall-wide view: pause or resume a location (PATCH /locations/{id} pause_minutes, as the
// switches page does) and refetch the page every few seconds to follow every kitchen's queue.
// The refetched page is the server's own escaped HTML: its live part replaces the old one, so
// nothing a user typed becomes markup here.
"use strict";
(function () {
  const { data, api, refusal, show } = window.consoleApp;
  const errorBox = document.getElementById("mall-error");
  let live = document.getElementById("mall-live");
  // Only the latest refetch is shown: one begun before a pause was saved must not undo it.
  let latest = 0;

  async function refresh() {
    const mine = ++latest;
    try {
      const response = await fetch(location.pathname + location.search, { credentials: "same-origin", headers: { accept: "text/html" } });
      if (response.status === 401 || response.redirected) {
        location.reload();
        return;
      }
      if (!response.ok) return;
      const html = await response.text();
      if (mine !== latest) return;
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.getElementById("mall-live");
      if (fresh) {
        const adopted = document.importNode(fresh, true);
        live.replaceWith(adopted);
        live = adopted;
      }
    } catch (_) {
      // Offline for a moment: the next tick tries again.
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-pause][data-location]");
    if (!button) return;
    button.disabled = true;
    show(errorBox, "");
    const answer = await api("PATCH", "/locations/" + encodeURIComponent(button.dataset.location), {
      pause_minutes: Number(button.dataset.pause),
    });
    if (!answer.ok) {
      button.disabled = false;
      show(errorBox, refusal(answer, { scope: "console.switches.problem", fields: { pause_minutes: "console.switches.problem.pause_minutes" } }).text);
      return;
    }
    await refresh();
  });

  setInterval(refresh, 1000 * (Number(data.refresh_seconds) || 10));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
})();
