// Copy buttons for the share kit. Without this script the buttons stay hidden and the fields
// stay selectable, so nothing is lost; with it, one press copies and the status line says so.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector(".copy-status");
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        document.execCommand("copy"); // older browsers, or a page not served over HTTPS
      }
      if (status) {
        status.textContent = status.dataset.copied;
      }
    });
  }
});
