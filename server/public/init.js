// Progressive enhancement only: every page works without this script.
import { initAll } from '/static/govuk/govuk-frontend.min.js';
initAll();

// "Print the letter" buttons: shown only where the script runs (the page says Ctrl+P otherwise).
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
