// Camera scanning, only where the browser reads barcodes itself (BarcodeDetector): the camera
// button stays hidden elsewhere, and a scanner or the keyboard do the same job.
"use strict";

/** Shows the camera button when scanning is possible; a code read calls `onItem(item)`. */
export function setupCamera({ till, t, notice, onItem }) {
  const $ = (id) => document.getElementById(id);
  if (!("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia)) return;

  async function scan() {
    const video = $("camera-view");
    if (!video.hidden) return stop();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (_) {
      return notice(t("pos.sell.camera_denied"));
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new window.BarcodeDetector();
    const look = async () => {
      if (video.hidden) return;
      try {
        const codes = await detector.detect(video);
        const item = codes.map((c) => till.index?.exact(c.rawValue)).find(Boolean);
        if (item) {
          onItem(item);
          return stop();
        }
      } catch (_) {
        /* the next frame */
      }
      setTimeout(look, 250);
    };
    look();
  }
  function stop() {
    const video = $("camera-view");
    for (const track of video.srcObject?.getTracks() || []) track.stop();
    video.srcObject = null;
    video.hidden = true;
    $("search").focus();
  }

  $("camera").hidden = false;
  $("camera").addEventListener("click", scan);
}
