// An import job's page while it runs: polls GET /api/v1/imports/jobs/{id} (session cookie)
// every second, moves the progress bar and the figures, and reloads the page when the job
// ends, so the server renders the report of rejected rows. Only numbers are written here.
"use strict";
(function () {
  const panel = document.getElementById("import-job");
  if (!panel) return;
  const id = panel.dataset.jobId;
  const bar = document.getElementById("import-progress");
  const processed = document.getElementById("import-processed");
  const total = document.getElementById("import-total");

  async function poll() {
    try {
      const response = await fetch("/api/v1/imports/jobs/" + encodeURIComponent(id), {
        credentials: "same-origin",
        headers: { accept: "application/json" },
      });
      if (response.ok) {
        const job = await response.json();
        bar.max = Math.max(job.total, 1);
        bar.value = job.processed;
        bar.textContent = String(job.processed);
        processed.textContent = String(job.processed);
        total.textContent = String(job.total);
        if (job.state !== "running") {
          location.reload();
          return;
        }
      }
    } catch (_) {
      // Offline for a moment: the next tick tries again.
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
