/* The consultation picker: the plain multiple select (which works without JavaScript) becomes a
   searchable one with the vendored Tom Select, grouped by street; the whole-street boxes beside it
   add that street's communities to the choice at once. */
(function () {
  "use strict";
  function start() {
    if (!window.TomSelect) return;
    document.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) return;
      var picker = new window.TomSelect(select, {
        plugins: ["remove_button"],
        maxOptions: null,
        closeAfterSelect: true,
        hidePlaceholder: true,
        placeholder: select.getAttribute("data-placeholder") || "",
      });
      var form = select.form;
      if (!form) return;
      form.querySelectorAll('[data-testid="whole-streets"] input[type="checkbox"], input[type="checkbox"][name$="whole_streets"]').forEach(function (box) {
        box.addEventListener("change", function () {
          var group = Array.prototype.find.call(select.querySelectorAll("optgroup"), function (g) {
            return Array.prototype.some.call(g.querySelectorAll("option"), function (o) { return o.value === box.value; });
          });
          if (!group) return;
          group.querySelectorAll("option").forEach(function (option) {
            if (option.value === box.value) return; // the street itself is asked only when picked
            if (box.checked) picker.addItem(option.value, true);
            else picker.removeItem(option.value, true);
          });
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
