/* Card type options (cards/forms.py): show the group of fields of the chosen card type, or of
   the inherited one while the select says "inherit"; keep each colour swatch and its text box
   in step. */
(function () {
  "use strict";

  function showGroup(container, select) {
    var chosen = (select && select.value) || container.dataset.fallback;
    container.querySelectorAll(".tcm-option-group").forEach(function (group) {
      group.hidden = group.dataset.cardType !== chosen;
    });
  }

  function hex(text) {
    var value = (text || "").trim();
    if (/^#[0-9a-f]{6}$/i.test(value)) return value.toLowerCase();
    if (/^#[0-9a-f]{3}$/i.test(value)) {
      return ("#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3]).toLowerCase();
    }
    return null;
  }

  function linkSwatch(swatch) {
    var text = document.getElementById(swatch.dataset.for);
    if (!text) return;
    var sync = function () {
      var value = hex(text.value || text.placeholder);
      if (value) swatch.value = value;
    };
    sync();
    text.addEventListener("input", sync);
    swatch.addEventListener("input", function () {
      text.value = swatch.value;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_card_type");
    document.querySelectorAll(".tcm-options").forEach(function (container) {
      showGroup(container, select);
      if (select) {
        select.addEventListener("change", function () {
          showGroup(container, select);
        });
      }
    });
    document.querySelectorAll(".tcm-color-swatch").forEach(linkSwatch);
  });
})();
