import path from 'node:path';

/**
 * Directory of the demo SPA's static files (index.html, app.js, style.css). Next to this module: `src/local/spa`
 * when run with tsx, `dist/local/spa` after a build, which must copy the folder there (tsc does not).
 */
export const SPA_DIR = path.join(__dirname, 'spa');
