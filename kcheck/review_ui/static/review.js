// Review UI enhancements; every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Photos open at a readable size; a click with a modifier key still opens the image alone.
  for (const link of document.querySelectorAll(".images a")) {
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      const image = link.querySelector("img");
      image.classList.toggle("zoomed");
      link.setAttribute("aria-expanded", image.classList.contains("zoomed") ? "true" : "false");
    });
  }
  // The queue refreshes itself every minute unless the reviewer is using a form on it.
  const queue = document.querySelector("table.queue");
  if (queue) {
    setInterval(() => {
      const active = document.activeElement;
      if (!active || !active.closest("form")) window.location.reload();
    }, 60000);
  }
});
