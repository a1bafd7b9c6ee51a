/* Sentinella: a page waiting for a background job (the act's PDFs after adoption) follows it by
 * itself. It polls the JSON at [data-job-status-url] every 2 s, shows [data-job-waiting] while no
 * worker has been seen for a minute, and reloads the page once the job has finished. */
(function () {
  "use strict";
  var root = document.querySelector("[data-job-status-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-job-status-url");
  var waiting = root.querySelector("[data-job-waiting]");

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        if (waiting) {
          waiting.hidden = !status.waiting_for_worker;
        }
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();
