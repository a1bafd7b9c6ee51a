/* Sentinella: follow an export job without reloading the page (polls its JSON status every second). */
(function () {
  "use strict";
  var root = document.querySelector("[data-export-status-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-export-status-url");
  var bar = root.querySelector(".progress");
  var fill = root.querySelector(".progress-bar");
  var label = root.querySelector("[data-export-label]");
  var rows = root.querySelector("[data-export-rows]");
  var download = root.querySelector("[data-export-download]");
  var error = root.querySelector("[data-export-error]");
  var waiting = root.querySelector("[data-export-waiting]");

  /* The bar's width is set here, not in a style attribute, which the Content-Security-Policy refuses. */
  fill.style.width = Math.max(0, Math.min(100, Number(bar.getAttribute("aria-valuenow")) || 0)) + "%";

  function render(status) {
    var progress = Math.max(0, Math.min(100, status.progress || 0));
    bar.setAttribute("aria-valuenow", String(progress));
    fill.style.width = progress + "%";
    if (label.textContent !== status.status_label) {
      label.textContent = status.status_label;
    }
    rows.textContent = status.rows_label || "";
    root.setAttribute("data-export-status", status.status);
    if (status.download_url) {
      download.querySelector("a").setAttribute("href", status.download_url);
      download.hidden = false;
    }
    waiting.hidden = !status.waiting_for_worker;
    if (status.error) {
      error.textContent = status.error;
      error.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        render(status);
        if (!status.finished) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); /* the server or the network hiccuped: try again, more slowly */
      });
  }

  var initial = root.getAttribute("data-export-status");
  if (initial !== "done" && initial !== "failed" && initial !== "expired") {
    window.setTimeout(poll, 1000);
  }
})();
