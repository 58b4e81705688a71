// Review UI enhancements; every page works without them.
"use strict";

// A photo opens in a zoom dialog, the annotated overlay one toggle away; a click with a
// modifier key (or without JavaScript) still opens the image alone.
function wireZoom() {
  const dialog = document.getElementById("zoom");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const image = document.getElementById("zoom-image");
  const toggle = document.getElementById("zoom-overlay");
  const alone = document.getElementById("zoom-alone");
  let current = null;
  const showing = (overlay) => {
    const src = overlay ? current.dataset.preview : current.href;
    image.src = src;
    alone.href = src;
    image.alt = `${current.querySelector("img").alt}${overlay ? ` (${toggle.textContent.trim()})` : ""}`;
    toggle.setAttribute("aria-pressed", overlay ? "true" : "false");
  };
  for (const link of document.querySelectorAll("a.thumb")) {
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      current = link;
      document.getElementById("zoom-title").textContent = link.dataset.title;
      toggle.hidden = !link.dataset.preview;
      showing(false);
      dialog.showModal();
    });
  }
  toggle.addEventListener("click", () => showing(toggle.getAttribute("aria-pressed") !== "true"));
  document.getElementById("zoom-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    image.removeAttribute("src");
    if (current) current.focus();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wireZoom();
  // The queue refreshes itself every minute unless the reviewer is using a form on it.
  const queue = document.querySelector("table.queue");
  if (queue) {
    setInterval(() => {
      const active = document.activeElement;
      if (!active || !active.closest("form")) window.location.reload();
    }, 60000);
  }
});
