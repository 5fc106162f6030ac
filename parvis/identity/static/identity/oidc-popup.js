// The OIDC popup's last page: hand its message (a session, or why signing in failed) to the app iframe that
// opened it, on Parvis's own origin only, then close on success. A file of its own, not an inline script: the
// pages' Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";
  var data = document.getElementById("parvis-message");
  var close = document.getElementById("parvis-close");
  if (close) close.addEventListener("click", function () { window.close(); });
  if (!data) return;
  var message = JSON.parse(data.textContent);
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, window.location.origin);
    if (message.type === "session") window.close();
  }
})();
