/* interpcat: filters on the papers index, over the api/index.json the build writes.
   The form stays hidden until the index has loaded, so without JavaScript the full table shows. */
(function () {
  "use strict";
  var FIELDS = ["status", "area", "modality", "contribution", "year"];

  function matches(p, f) {
    if (f.status && p.statuses.indexOf(f.status) < 0) return false;
    if (f.area && p.areas.indexOf(f.area) < 0) return false;
    if (f.modality && p.modalities.indexOf(f.modality) < 0) return false;
    if (f.contribution && p.contribution !== f.contribution) return false;
    if (f.year && String(p.year) !== f.year) return false;
    if (f.notebook && !p.has_notebook) return false;
    return true;
  }

  function init() {
    var form = document.getElementById("ic-filters");
    if (!form || !window.fetch) return;
    var count = document.getElementById("ic-filter-count");
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[id^='paper-']"));
    var field = function (name) { return form.elements.namedItem(name); };

    function current() {
      var f = {};
      FIELDS.forEach(function (k) { f[k] = field(k).value; });
      f.notebook = field("notebook").checked;
      return f;
    }

    function apply(byId) {
      var f = current();
      var shown = 0;
      rows.forEach(function (row) {
        var p = byId[row.id.slice("paper-".length)];
        var ok = !p || matches(p, f);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " papers shown";
      var params = new URLSearchParams();
      FIELDS.forEach(function (k) { if (f[k]) params.set(k, f[k]); });
      if (f.notebook) params.set("notebook", "1");
      var q = params.toString();
      history.replaceState(null, "", (q ? "?" + q : location.pathname) + location.hash);
    }

    fetch(form.getAttribute("data-index"))
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (index) {
        var byId = {};
        index.papers.forEach(function (p) { byId[p.id] = p; });
        var params = new URLSearchParams(location.search);
        FIELDS.forEach(function (k) {
          var v = params.get(k);
          var select = field(k);
          if (v && Array.prototype.some.call(select.options, function (o) { return o.value === v; })) select.value = v;
        });
        field("notebook").checked = params.get("notebook") === "1";
        form.addEventListener("change", function () { apply(byId); });
        form.addEventListener("submit", function (e) { e.preventDefault(); apply(byId); });
        form.addEventListener("reset", function () { setTimeout(function () { apply(byId); }, 0); });
        form.hidden = false;
        apply(byId);
      })
      .catch(function () { /* no index: the table stays complete and unfiltered */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
