import { BILLING_CSS } from "./billing-css";

/**
 * The page's only script: it polls a pending payment or export and reloads the page once it
 * settles, moves focus to the outcome, and reveals the "use recommended" button. Everything
 * works without it; a Refresh link is always there.
 */
const BILLING_JS = `"use strict";
(() => {
  const POLL_FIRST_MS = 1000, POLL_SLOW_MS = 3000, POLL_FAST_TRIES = 15, POLL_MAX_TRIES = 120;
  for (const region of document.querySelectorAll("[data-poll-url]")) {
    let tries = 0;
    const tick = async () => {
      tries += 1;
      try {
        const res = await fetch(region.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (res.ok && (await res.json()).settled) {
          // After the reload, focus goes to the region that just settled, so it is read out.
          if (region.dataset.focusAfter) sessionStorage.setItem("billing-focus", region.dataset.focusAfter);
          return location.reload();
        }
        if (res.status === 401) return location.assign("/billing/sign-in");
      } catch (e) {
        // A dropped connection is retried on the next tick.
      }
      if (tries < POLL_MAX_TRIES) setTimeout(tick, tries < POLL_FAST_TRIES ? POLL_FIRST_MS : POLL_SLOW_MS);
    };
    setTimeout(tick, POLL_FIRST_MS);
  }
  for (const button of document.querySelectorAll("[data-fill]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.fill);
      if (!input) return;
      input.value = button.dataset.value;
      input.focus();
    });
  }
  const settledId = sessionStorage.getItem("billing-focus");
  sessionStorage.removeItem("billing-focus");
  const outcome = (settledId && document.getElementById(settledId)) || document.querySelector("[data-focus]");
  if (outcome) {
    outcome.scrollIntoView({ block: "center" });
    outcome.focus({ preventScroll: true });
  }
})();
`;

export const ASSET_PATHS = {
  css: "/billing/assets/billing.css",
  js: "/billing/assets/billing.js",
} as const;

export const ASSETS: Record<string, { body: string; type: string }> = {
  "billing.css": { body: BILLING_CSS, type: "text/css; charset=utf-8" },
  "billing.js": { body: BILLING_JS, type: "text/javascript; charset=utf-8" },
};
