/* Share buttons for news posts. Without JavaScript the buttons stay hidden and the
   link field can still be selected and copied by hand. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!field) { return; }
    function done() {
      if (status) { status.textContent = button.getAttribute("data-copied"); }
    }
    function fallback() {
      field.focus();
      field.select();
      try { if (document.execCommand("copy")) { done(); } } catch (error) { /* select only */ }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
  if (navigator.share) {
    document.querySelectorAll("[data-share-url]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-share-title"),
          url: button.getAttribute("data-share-url")
        }).catch(function () { /* dismissed */ });
      });
    });
  }
})();
