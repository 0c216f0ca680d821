// The console's small browser helpers: the supervisor's time zone and locale, keyboard shortcuts, scrolling the
// focused draft into view, and sizing the sandboxed html frames to their content.
window.reviewConsole = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",

  // The browser's locale, whether it writes a 12-hour clock, and its short names for the zone (standard, daylight).
  locale: (zone) => {
    const locale = navigator.language || Intl.DateTimeFormat().resolvedOptions().locale;
    const options = new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions();
    const hour12 = options.hour12 ?? (options.hourCycle === "h12" || options.hourCycle === "h11");
    const year = new Date().getFullYear();
    const part = (month, style) => {
      try {
        return new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: style })
          .formatToParts(new Date(Date.UTC(year, month, 1, 12))).find((p) => p.type === "timeZoneName")?.value;
      } catch { return undefined; }
    };
    const offset = (month) => {
      const text = part(month, "longOffset") || "GMT";
      const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(text);
      return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0)) : 0;
    };
    const [jan, jul] = [part(0, "short"), part(6, "short")];
    const [janOffset, julOffset] = [offset(0), offset(6)];
    if (janOffset === julOffset) return { locale, hour12, standard: jan, daylight: jan };
    return janOffset < julOffset ? { locale, hour12, standard: jan, daylight: jul } : { locale, hour12, standard: jul, daylight: jan };
  },

  // Forwards the console's keys to the circuit, unless the supervisor is typing somewhere or a dialog is open.
  // Escape is forwarded from inside the draft editor too: it leaves the editor.
  registerShortcuts: (dotnet) => {
    const keys = ["j", "k", "Enter", "e", "a", "r", "c", "#", "Delete", "x", "z", "/", "?", "Escape"];
    const handler = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || !keys.includes(event.key)) return;
      if (document.querySelector(".mud-dialog-container, .mud-popover-open")) return;
      const target = event.target instanceof Element ? event.target : null;
      const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (event.key === "Escape") {
        if (!target?.closest("[data-testid=draft-editor]") && typing) return;
      } else if (typing) {
        return;
      } else if (event.key === "Enter" && target && target.closest("button, a, [role=button], [role=checkbox], input, label")) {
        return;
      }
      event.preventDefault();
      dotnet.invokeMethodAsync("OnShortcut", event.key);
    };
    document.addEventListener("keydown", handler);
    return { dispose: () => document.removeEventListener("keydown", handler) };
  },

  // For a dialog's first or primary button: focuses it once it is there and keeps it focused while the dialog opens
  // (its focus trap moves the focus once more), until the supervisor types, clicks or is in a field: from then on the
  // focus is theirs and is never pulled back.
  focusSoon: (selector) => {
    let frames = 30;
    let halted = false;
    const halt = () => { halted = true; };
    const done = () => {
      document.removeEventListener("pointerdown", halt, true);
      document.removeEventListener("keydown", halt, true);
    };
    document.addEventListener("pointerdown", halt, true);
    document.addEventListener("keydown", halt, true);
    const attempt = () => {
      const active = document.activeElement;
      if (halted || (active && (active.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName)))) return done();
      const element = document.querySelector(selector);
      if (element && active !== element) element.focus();
      if (frames-- > 0) requestAnimationFrame(attempt); else done();
    };
    attempt();
  },

  focus: (selector) => {
    const element = document.querySelector(selector);
    element?.focus();
    return !!element;
  },

  // Keeps the focused row in view (in the list where it scrolls itself, else in the window below the app bar),
  // moving nothing when it is already wholly visible.
  reveal: (draftId) => {
    const row = document.querySelector(`[data-testid=queue-row][data-draft-id="${CSS.escape(draftId)}"]`);
    if (!row) return;
    const list = row.closest(".review-list");
    const r = row.getBoundingClientRect();
    if (list && getComputedStyle(list).overflowY !== "visible" && list.scrollHeight > list.clientHeight) {
      const box = list.getBoundingClientRect();
      const top = box.top + (list.querySelector(".review-list-head")?.offsetHeight ?? 0);
      if (r.top < top) list.scrollTop -= Math.ceil(top - r.top) + 2;
      else if (r.bottom > box.bottom) list.scrollTop += Math.ceil(r.bottom - box.bottom) + 2;
    } else {
      const bar = document.querySelector(".mud-appbar")?.getBoundingClientRect().bottom ?? 0;
      if (r.top < bar) window.scrollBy(0, Math.floor(r.top - bar) - 4);
      else if (r.bottom > window.innerHeight) window.scrollBy(0, Math.ceil(r.bottom - window.innerHeight) + 4);
    }
  },

  scrollToTop: () => window.scrollTo({ top: 0 }),

  // Theme and row density, remembered per browser; the theme follows the OS until the supervisor picks one.
  preferences: () => {
    const read = (key) => { try { return localStorage.getItem(key); } catch { return null; } };
    return {
      theme: read("review.theme"),
      density: read("review.density"),
      systemDark: window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false,
    };
  },

  savePreference: (key, value) => {
    try { localStorage.setItem(`review.${key}`, value); } catch { /* private mode: not remembered */ }
  },

  // An edit not saved yet, kept per draft (with the version it was typed against) until it is saved or discarded.
  keepEdit: (draftId, json) => {
    try {
      if (json) localStorage.setItem(`review.edit.${draftId}`, json); else localStorage.removeItem(`review.edit.${draftId}`);
    } catch { /* private mode: not kept */ }
  },

  keptEdit: (draftId) => {
    try { return localStorage.getItem(`review.edit.${draftId}`); } catch { return null; }
  },
};

// A circuit the server no longer knows (a restart, an ended session) cannot come back: the page reloads by itself,
// and the editor offers back what was kept in the browser. When the server cannot be reached at all, the page waits
// until it answers again and then reloads.
(() => {
  const modal = document.getElementById("components-reconnect-modal");
  if (!modal) return;
  let waiting = false;
  const reloadWhenUp = async () => {
    if (waiting) return;
    waiting = true;
    for (;;) {
      try {
        const response = await fetch("/healthz", { cache: "no-store" });
        if (response.status < 500) break;
      } catch { /* still down */ }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    location.reload();
  };
  modal.addEventListener("components-reconnect-state-changed", (event) => {
    const state = event.detail?.state;
    if (state === "rejected" || state === "resume-failed") location.reload();
    else if (state === "failed") reloadWhenUp();
  });
})();

// A sandboxed frame (no scripts) cannot say how tall it is; same origin lets the console measure it once loaded,
// and again whenever its width changes (a pane shown after being hidden, a window resized).
const fitFrame = (frame) => {
  try {
    const root = frame.contentDocument?.documentElement;
    if (root && frame.clientWidth > 0) frame.style.height = `${Math.max(root.scrollHeight, 40) + 2}px`;
  } catch { /* not measurable: keeps its minimum height and scrolls */ }
};
const frameWidths = new ResizeObserver((entries) => entries.forEach((entry) => fitFrame(entry.target)));
document.addEventListener("load", (event) => {
  const frame = event.target;
  if (!(frame instanceof HTMLIFrameElement) || !frame.classList.contains("review-html-frame")) return;
  fitFrame(frame);
  frameWidths.observe(frame);
}, true);
