// The audience form's region list: a search box narrows the checkboxes as one types
// (region or regency name), ticked regions always stay visible, and a line counts them.
(function () {
  "use strict";
  function setUp(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var search = picker.querySelector("input[type=search]");
    var count = picker.querySelector("[data-region-count]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-region-group]"));
    function norm(text) {
      return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim();
    }
    function refresh() {
      var query = norm(search.value);
      var ticked = 0;
      groups.forEach(function (group) {
        var groupName = norm(group.dataset.regionGroup);
        var shown = 0;
        group.querySelectorAll("[data-region-item]").forEach(function (item) {
          var box = item.querySelector("input");
          if (box.checked) ticked += 1;
          var match = !query || box.checked || norm(item.textContent).indexOf(query) !== -1 ||
            groupName.indexOf(query) !== -1;
          item.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
      count.textContent = count.dataset.template.replace("%(count)s", ticked);
    }
    search.addEventListener("input", refresh);
    picker.addEventListener("change", refresh);
    refresh();
  }
  function all() {
    document.querySelectorAll("[data-region-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
