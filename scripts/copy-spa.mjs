// The demo SPA is static files; the compiled server (dist/server.js) serves them from dist/local/spa.
import { cpSync } from 'node:fs';
cpSync('src/local/spa', 'dist/local/spa', { recursive: true });
