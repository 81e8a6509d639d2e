/* The live preview on the card settings forms (cards/preview_admin.py).
 *
 * On every change to the form (typing, a choice, a picture picked) the whole form is posted, as
 * saving would post it, to the panel's data-url, a quarter of a second after the last change;
 * the answer's pictures replace the panel's. A request still on its way when a newer change
 * comes is aborted (AbortController), and its answer is ignored if it comes anyway: a person
 * typing fast sees the latest settings, not a queue of old ones. Nothing is saved.
 */
(function () {
  "use strict";

  const DELAY = 250; // ms after the last change
  const BUSY_RETRY = 400; // ms before asking again when the server had no free slot

  function element(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function figure(src, caption, error) {
    const box = element("figure");
    if (src) {
      box.append(element("img", { src: src, alt: caption, width: "640", height: "360" }));
    } else {
      box.append(element("div", { class: "tcm-preview-none" }, error || "No card yet"));
    }
    box.append(element("figcaption", {}, caption));
    return box;
  }

  function drawRows(box, rows) {
    const drawn = rows.map(function (row) {
      const item = element("div", { class: "tcm-preview-row" });
      item.append(element("h3", {}, row.label + (row.sample ? " (sample still)" : "")));
      if (!row.sample) {
        const state = row.current_state ? " (" + row.current_state + ")" : "";
        item.append(figure(row.current, "tcm's card now" + state, "No card yet"));
      }
      for (const key of ["watched", "unwatched"]) {
        const picture = row.pictures[key];
        const caption = key + (picture.style ? ": " + picture.style : "");
        item.append(figure(picture.src, caption, picture.error));
      }
      return item;
    });
    if (!drawn.length) {
      drawn.push(element("p", {}, "No episodes to show yet."));
    }
    // Why these episodes, when they are not the form's own (a template that matches none yet).
    const note = rows.length && rows[0].note;
    if (note) drawn.unshift(element("p", { class: "help tcm-preview-note" }, note));
    box.replaceChildren.apply(box, drawn);
  }

  function describe(body, status) {
    if (body && body.errors) {
      return Object.entries(body.errors)
        .map(([name, messages]) => (name === "__all__" ? "" : name + ": ") + messages.join(" "))
        .join("; ");
    }
    return (body && body.reason) || "The preview failed (HTTP " + status + ").";
  }

  function start(panel) {
    const form = panel.closest("form");
    const rows = panel.querySelector(".tcm-preview-rows");
    const status = panel.querySelector(".tcm-preview-status");
    const errors = panel.querySelector(".tcm-preview-errors");
    let controller = null;
    let timer = null;
    let seq = 0;
    const page = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

    async function refresh() {
      timer = null;
      if (controller) controller.abort();
      controller = new AbortController();
      const mine = ++seq;
      const data = new FormData(form);
      data.set("_preview_page", page);
      data.set("_preview_seq", String(mine));
      panel.dataset.state = "loading";
      panel.setAttribute("aria-busy", "true");
      status.textContent = "Updating…";
      let response;
      let body = null;
      try {
        response = await fetch(panel.dataset.url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          signal: controller.signal,
        });
        body = await response.json().catch(() => null);
      } catch (error) {
        if (error.name === "AbortError") return;
        if (mine !== seq) return;
        panel.dataset.state = "error";
        status.textContent = "The preview failed: " + error.message;
        return;
      }
      if (mine !== seq) return; // a newer change is on its way
      panel.removeAttribute("aria-busy");
      if (response.status === 429) {
        schedule(BUSY_RETRY);
        return;
      }
      if (response.status === 409) return; // superseded on the server
      if (!response.ok) {
        panel.dataset.state = "error";
        errors.textContent = describe(body, response.status);
        status.textContent = "Not updated";
        return;
      }
      errors.textContent = "";
      drawRows(rows, body.rows);
      panel.dataset.state = "ready";
      panel.dataset.updates = String((Number(panel.dataset.updates) || 0) + 1);
      status.textContent = "Up to date";
    }

    function schedule(delay) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, delay);
    }

    function changed(event) {
      if (panel.contains(event.target)) return;
      schedule(DELAY);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    refresh();
  }

  /* The card type picker: a picture of each type on the form's own still, beside the card type
   * select (which stays the form's field: a choice here sets it and fires its change event, so
   * whatever listens to the select hears it). A group of buttons with one tab stop: Tab reaches
   * the chosen one, the arrow keys move between them, Enter or Space chooses. */
  function picker(select, pictures) {
    const group = element("div", {
      class: "tcm-type-picker",
      role: "group",
      "aria-label": "Card types, drawn on this series' still",
    });
    const buttons = [...select.options].map(function (option) {
      const button = element("button", { type: "button", class: "tcm-type", "data-type": option.value });
      if (option.value) {
        const src = pictures.replace("%7Btype%7D", option.value).replace("{type}", option.value);
        const img = element("img", { src: src, alt: "", width: "160", height: "90", loading: "lazy" });
        // The server draws a few pictures at a time and refuses the rest (429): ask again.
        let tries = 0;
        img.addEventListener("error", function () {
          if (++tries <= 5) setTimeout(() => (img.src = src + "&try=" + tries), 500 * tries);
        });
        button.append(img);
      } else {
        button.append(element("span", { class: "tcm-type-none" }, "inherited"));
      }
      button.append(element("span", { class: "tcm-type-name" }, option.textContent));
      button.addEventListener("click", function () {
        select.value = option.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        button.focus();
      });
      return button;
    });
    function mark() {
      for (const button of buttons) {
        const chosen = button.dataset.type === select.value;
        button.setAttribute("aria-pressed", chosen ? "true" : "false");
        button.tabIndex = chosen ? 0 : -1;
      }
    }
    group.addEventListener("keydown", function (event) {
      const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -1e9, End: 1e9 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const here = buttons.indexOf(document.activeElement);
      const next = Math.max(0, Math.min(buttons.length - 1, here + moves[event.key]));
      buttons[next].focus();
    });
    select.addEventListener("change", mark);
    group.append.apply(group, buttons);
    mark();
    const details = element("details", { class: "tcm-type-pictures", open: "" });
    details.append(element("summary", {}, "Pictures of the card types"), group);
    (select.closest(".form-row") || select.parentElement).append(details);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const panel = document.getElementById("tcm-preview");
    if (!panel) return;
    const select = panel.closest("form").querySelector("select[name=card_type]");
    if (select && panel.dataset.typePictures) picker(select, panel.dataset.typePictures);
    start(panel);
  });
})();
