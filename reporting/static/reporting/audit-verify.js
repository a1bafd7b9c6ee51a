/* Sentinella: follow the audit chain's full re-verification (polls its JSON status every two
   seconds, moves the bar, reloads the page with the result when it is finished). */
(function () {
  "use strict";
  var root = document.querySelector("[data-verify-status-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-verify-status-url");
  var bar = root.querySelector(".progress");
  var fill = root.querySelector(".progress-bar");
  var count = root.querySelector("[data-verify-count]");

  function render(status) {
    var percent = Math.max(0, Math.min(100, status.percent || 0));
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    count.textContent = status.checked + " / " + status.total;
  }
  fill.style.width = Math.max(0, Math.min(100, Number(bar.getAttribute("aria-valuenow")) || 0)) + "%";

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        render(status);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 2000);
})();
