// The console's small browser helpers: the supervisor's time zone and keyboard shortcuts.
window.reviewConsole = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",

  // Forwards j/k/e/a/r/Delete and / to the review queue, unless the supervisor is typing somewhere.
  registerShortcuts: (dotnet) => {
    const handler = (event) => {
      const target = event.target;
      const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!["j", "k", "e", "a", "r", "Delete", "/", "?"].includes(event.key)) return;
      event.preventDefault();
      dotnet.invokeMethodAsync("OnShortcut", event.key);
    };
    document.addEventListener("keydown", handler);
    return { dispose: () => document.removeEventListener("keydown", handler) };
  },

  focus: (selector) => document.querySelector(selector)?.focus(),
};
