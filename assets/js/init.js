// Ventanilla: start govuk-frontend's JavaScript.
//
// Loaded as <script type="module">, so it runs only in browsers that support
// ES modules (the ones govuk-frontend supports), after the document has been
// parsed, and never inline (the CSP is `script-src 'self'`). Pages work
// without it: it only enhances components that declare `data-module`.
// The semicolons matter: Django's ManifestStaticFilesStorage (with
// support_js_module_import_aggregation) rewrites this specifier to the hashed
// file name only when the statement ends with `;`.
import { initAll } from './govuk-frontend.min.js';

// govuk-frontend 6.x CSS and `initAll()` look for `govuk-frontend-supported`
// on <body> (the official template adds it with an inline script, which our
// CSP forbids). `js-enabled` is for our own CSS/JS hooks.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

initAll();
