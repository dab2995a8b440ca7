// A diploma batch's progress page: while the batch is being signed, asks the server every
// two seconds how far it got (progreso.json) and updates the bar and its text, which sit in
// an aria-live region. When the batch is done or stopped, reloads the page, which then shows
// the result. Without JavaScript the page has an "Actualizar" link instead.
(function () {
  "use strict";

  var EVERY_MS = 2000;
  var region = document.getElementById("progreso");
  if (!region || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-progress-url");
  var bar = document.getElementById("progreso-barra");
  var text = document.getElementById("progreso-texto");
  var failures = 0;

  function show(data) {
    if (bar) {
      bar.max = Math.max(1, data.total);
      bar.value = Math.min(data.done, bar.max);
      bar.textContent = data.percent + " %";
    }
    if (text && text.textContent !== data.text) {
      text.textContent = data.text;
    }
  }

  function ask() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.reload) {
          window.location.reload();
          return;
        }
        window.setTimeout(ask, EVERY_MS);
      })
      .catch(function () {
        // A signed-out session or a server restart: try a few times, then leave the
        // "Actualizar" link to the person.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(ask, EVERY_MS * failures);
        }
      });
  }

  window.setTimeout(ask, EVERY_MS);
})();
