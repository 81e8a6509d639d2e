/* A template's filter rows (cards/admin.py): each field offers only the operations it takes
   and shows an example value; rows added with "Add another" too. */
(function () {
  "use strict";

  function row(select) {
    var prefix = select.name.slice(0, -"field".length);
    return {
      operation: document.querySelector('select[name="' + prefix + 'operation"]'),
      value: document.querySelector('input[name="' + prefix + 'value"]'),
    };
  }

  function update(select) {
    var table = JSON.parse(select.dataset.operations || "{}");
    var info = table[select.value];
    var parts = row(select);
    if (!info || !parts.operation) return;
    var first = null;
    Array.prototype.forEach.call(parts.operation.options, function (option) {
      var allowed = !option.value || info.operations.indexOf(option.value) >= 0;
      option.hidden = !allowed;
      option.disabled = !allowed;
      if (allowed && option.value && first === null) first = option.value;
    });
    var current = parts.operation.value;
    if (current && info.operations.indexOf(current) < 0) parts.operation.value = first;
    if (parts.value) parts.value.placeholder = info.example;
  }

  function all() {
    document.querySelectorAll("select[data-operations]").forEach(update);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-operations]")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("formset:added", all);
})();
