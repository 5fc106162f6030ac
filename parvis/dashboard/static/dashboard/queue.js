/* The moderation queue's keyboard: j/k select, a approve, r reject (then a digit), s spam, h hold, b ban, e edit,
   x select for a bulk action (A / R / S approve, reject, spam the selected ones), u undo, ? help. Every decision is a click on the item's own button, so keys and mouse post the same form (htmx sends
   it with the page's CSRF token and swaps in the answered item). Static file: the CSP forbids inline scripts. */
(function () {
  "use strict";
  let selected = -1;
  let keepStatus = false;

  // The status line's words, translated by the page (dash-texts); {name} marks a value.
  let texts = null;
  function say(name, values) {
    if (texts === null) {
      const element = document.getElementById("dash-texts");
      texts = element ? JSON.parse(element.textContent) : {};
    }
    const template = texts[name] || name;
    return template.replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? String(values[key]) : whole));
  }

  const items = () => Array.from(document.querySelectorAll(".dash-item"));
  const status = (text) => {
    const line = document.getElementById("dash-status");
    if (line) line.textContent = text;
  };

  function select(index) {
    const all = items();
    if (!all.length) return null;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((item, at) => item.classList.toggle("dash-selected", at === selected));
    const item = all[selected];
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  // The selected item; a decision key with nothing selected acts on the first one.
  function current() {
    const all = items();
    return selected >= 0 && selected < all.length ? all[selected] : null;
  }

  function menuOf(item) {
    return item ? item.querySelector(".dash-menu") : null;
  }

  function closeMenus() {
    document.querySelectorAll(".dash-menu").forEach((menu) => {
      menu.hidden = true;
      const opener = menu.parentElement.querySelector("[data-menu]");
      if (opener) opener.setAttribute("aria-expanded", "false");
    });
  }

  function toggleMenu(item) {
    const menu = menuOf(item);
    if (!menu) return;
    const open = menu.hidden;
    closeMenus();
    menu.hidden = !open;
    const opener = item.querySelector("[data-menu]");
    if (opener) opener.setAttribute("aria-expanded", String(open));
  }

  function press(item, key) {
    const button = item && item.querySelector(`button[data-key="${key}"]`);
    if (!button) {
      status(say("cannot_decide"));
      return;
    }
    // An item swapped in a moment ago may not be wired by htmx yet (it does so after settling): wire it now, or
    // the click would post the form as a full page load. htmx.process skips what it has wired already.
    if (window.htmx) window.htmx.process(item);
    button.click();
  }

  // b: the item's ban form, prefilled from the comment; its confirm button takes the focus, so Enter bans.
  function toggleBan(item, open) {
    const form = item && item.querySelector(".dash-ban");
    if (!form) return status(say("cannot_ban"));
    form.hidden = open === undefined ? !form.hidden : !open;
    if (!form.hidden) form.querySelector("[data-ban-confirm]").focus();
  }

  function toggleHelp() {
    const help = document.getElementById("dash-help");
    if (help) help.hidden = !help.hidden;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
    const item = current() || (/^[ahrsbex]$/.test(event.key) ? select(0) : null);
    const menu = menuOf(item);
    if (menu && !menu.hidden && /^[0-9]$/.test(event.key)) {
      const choice = menu.querySelector(`button[data-digit="${event.key}"]`);
      if (choice) choice.click();
      event.preventDefault();
      return;
    }
    if (/^[ARS]$/.test(event.key)) {
      const button = document.querySelector(`#dash-bulk button[data-bulk="${event.key}"]`);
      if (button) button.click();
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case "j": closeMenus(); select(selected < 0 ? 0 : selected + 1); break;
      case "k": closeMenus(); select(selected < 0 ? 0 : selected - 1); break;
      case "a": press(item, "a"); break;
      case "s": press(item, "s"); break;
      case "h": press(item, "h"); break;
      case "r": toggleMenu(item); break;
      case "b": toggleBan(item); break;
      case "e": press(item, "e"); break;
      case "x": {
        const box = item && item.querySelector(".dash-check");
        if (box) { box.checked = !box.checked; selectionChanged(); } else status(say("cannot_decide"));
        break;
      }
      case "u": {
        const undo = document.getElementById("dash-undo");
        if (undo && window.htmx) window.htmx.trigger(undo, "submit");
        break;
      }
      case "?": toggleHelp(); break;
      case "Escape": closeMenus(); document.querySelectorAll(".dash-ban").forEach((form) => { form.hidden = true; }); { const help = document.getElementById("dash-help"); if (help) help.hidden = true; } break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const opener = target.closest("[data-menu]");
    if (opener) toggleMenu(opener.closest(".dash-item"));
    if (target.closest("[data-help]")) toggleHelp();
    if (target.closest("[data-ban], [data-ban-cancel]")) toggleBan(target.closest(".dash-item"), !!target.closest("[data-ban]"));
    const redactButton = target.closest("[data-redact]");
    if (redactButton) redact(redactButton.closest("form"));
    const cancel = target.closest("[data-cancel-edit]");
    if (cancel) {
      const slot = cancel.closest(".dash-editor-slot");
      if (slot) slot.replaceChildren();
    }
    const item = target.closest(".dash-item");
    if (item) select(items().indexOf(item));
  });

  // A swapped-in item replaces the selected one: keep it selected, and say what happened. An editor that came
  // in gets the focus, so the moderator types (or selects a passage) at once.
  document.addEventListener("htmx:afterSwap", (event) => {
    const editor = event.target instanceof Element ? event.target.querySelector(".dash-editor textarea") : null;
    if (editor) {
      editor.focus();
      return;
    }
    if (event.target instanceof Element && event.target.id === "dash-new") return;  // the "new comments" poll
    if (selected >= 0) select(selected);
    if (keepStatus) keepStatus = false;
    else status("");
    selectionChanged();
  });
  // htmx settles a swap by putting back, 20 ms later, the server's attributes of elements whose id was there
  // before: a selection made in between (a quick j or k) would lose its class. Mark it again once settled.
  document.addEventListener("htmx:afterSettle", () => {
    if (selected >= 0) select(selected);
  });

  // ---- the editor: "Redact" replaces the selected passage with the redaction mark ----
  function redact(form) {
    const text = form.querySelector("textarea");
    if (!text) return;
    const start = text.selectionStart;
    const end = text.selectionEnd;
    if (start === end) {
      status(say("select_passage"));
      text.focus();
      return;
    }
    const mark = text.dataset.mark || "[…]";
    text.value = text.value.slice(0, start) + mark + text.value.slice(end);
    text.focus();
    text.setSelectionRange(start + mark.length, start + mark.length);
    status("");
  }

  // ---- bulk: checkboxes, "all on this page", "all matching", and the chunked loop ----
  const bulkForm = () => document.getElementById("dash-bulk");
  const checked = () => Array.from(document.querySelectorAll(".dash-check:checked")).map((box) => box.value);

  function selectionChanged() {
    const form = bulkForm();
    if (!form) return;
    const all = form.querySelector("[data-select-all]");
    const count = form.querySelector("[data-bulk-count]");
    const page = form.querySelector("[data-select-page]");
    const boxes = document.querySelectorAll(".dash-check");
    if (page) page.checked = boxes.length > 0 && checked().length === boxes.length;
    if (count) count.textContent = all && all.checked ? "" : say("selected", { count: checked().length });
  }

  // getAttribute: the form's buttons are named "action", which hides form.action (DOM named access).
  async function post(form, ids, action, category) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("as_of", form.querySelector("[name=as_of]").value);
    data.append("action", action);
    if (action === "reject" && category) data.append("category", category);
    data.append("ids", ids.join(","));
    const answer = await fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" });
    const result = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(result.error || say("error", { status: answer.status }));
    return result;
  }

  async function runBulk(form, action) {
    const progress = form.querySelector("[data-bulk-progress]");
    const category = form.querySelector("[data-bulk-reason]").value;
    const all = form.querySelector("[data-select-all]").checked;
    const size = Number(form.dataset.max) || 200;
    const totals = { done: 0, already_decided: 0, unavailable: 0 };
    const add = (result) => Object.keys(totals).forEach((key) => (totals[key] += result[key] || 0));
    const tell = (end) => status(say("progress", { done: totals.done, already: totals.already_decided, unavailable: totals.unavailable }) + end);
    form.querySelectorAll("button").forEach((button) => (button.disabled = true));
    progress.hidden = false;
    try {
      if (all) {
        // Chunk by chunk: the server lists the next ids matching the filters, then decides on them.
        let after = 0;
        for (;;) {
          const list = await fetch(`${form.dataset.matching}&after=${after}`, { credentials: "same-origin" });
          const chunk = await list.json();
          if (!list.ok) throw new Error(chunk.error || say("error", { status: list.status }));
          if (chunk.ids.length) add(await post(form, chunk.ids, action, category));
          tell("…");
          if (chunk.next === null) break;
          after = chunk.next;
        }
      } else {
        const ids = checked();
        if (!ids.length) {
          status(say("select_first"));
          return;
        }
        for (let start = 0; start < ids.length; start += size) {
          add(await post(form, ids.slice(start, start + size), action, category));
          progress.value = Math.min(1, (start + size) / ids.length);
          tell("…");
        }
      }
      progress.value = 1;
      tell(".");
      // The list as it now is; the status line stays (the swap handler would clear it).
      keepStatus = true;
      if (window.htmx) window.htmx.ajax("GET", window.location.href, { target: "#dash-queue", select: "#dash-queue", swap: "outerHTML" });
    } catch (error) {
      status(String(error.message || error));
    } finally {
      form.querySelectorAll("button").forEach((button) => (button.disabled = false));
      progress.hidden = true;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "dash-bulk") return;
    event.preventDefault();
    const submitter = event.submitter;
    runBulk(form, submitter && submitter.value ? submitter.value : "publish");
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.matches("[data-select-page]")) {
      document.querySelectorAll(".dash-check").forEach((box) => (box.checked = target.checked));
    }
    if (target.matches("[data-select-all]") && target.checked) {
      document.querySelectorAll(".dash-check").forEach((box) => (box.checked = true));
    }
    if (target.matches(".dash-check, [data-select-page], [data-select-all]")) selectionChanged();
  });
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail && event.detail.xhr;
    const text = xhr ? (xhr.responseText || "").replace(/<[^>]*>/g, "").trim() : "";
    status(text || say("error", { status: xhr ? xhr.status : "" }));
  });
  document.addEventListener("htmx:sendError", () => status(say("unreachable")));
})();
