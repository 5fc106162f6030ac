/* The moderation queue's keyboard: j/k select, a approve, r reject (then a digit), s spam, h hold, b ban, u undo,
   ? help. Every decision is a click on the item's own button, so keys and mouse post the same form (htmx sends
   it with the page's CSRF token and swaps in the answered item). Static file: the CSP forbids inline scripts. */
(function () {
  "use strict";
  let selected = -1;

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
      status("You cannot decide on this comment.");
      return;
    }
    button.click();
  }

  // b: the item's ban form, prefilled from the comment; its confirm button takes the focus, so Enter bans.
  function toggleBan(item, open) {
    const form = item && item.querySelector(".dash-ban");
    if (!form) return status("You cannot ban from this comment.");
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
    const item = current() || (/^[ahrsb]$/.test(event.key) ? select(0) : null);
    const menu = menuOf(item);
    if (menu && !menu.hidden && /^[0-9]$/.test(event.key)) {
      const choice = menu.querySelector(`button[data-digit="${event.key}"]`);
      if (choice) choice.click();
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
    const item = target.closest(".dash-item");
    if (item) select(items().indexOf(item));
  });

  // A swapped-in item replaces the selected one: keep it selected, and say what happened.
  document.addEventListener("htmx:afterSwap", () => {
    if (selected >= 0) select(selected);
    status("");
  });
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail && event.detail.xhr;
    const text = xhr ? (xhr.responseText || "").replace(/<[^>]*>/g, "").trim() : "";
    status(text || `Error ${xhr ? xhr.status : ""}`);
  });
  document.addEventListener("htmx:sendError", () => status("The server could not be reached."));
})();
