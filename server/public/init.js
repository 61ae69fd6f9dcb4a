// Progressive enhancement only: every page works without this script.
import { initAll } from '/static/govuk/govuk-frontend.min.js';
import { initAll as initMojAll } from '/static/moj/moj-frontend.min.js';
initAll();
// MoJ components (sortable tables on the surgery day page) are not covered by govuk-frontend's
// initAll; each only enhances elements carrying its own data-module="moj-…".
initMojAll();

// "Print the letter" buttons: shown only where the script runs (the page says Ctrl+P otherwise).
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
