// Bundle the diagram viewer with esbuild: scripts/build-diagram-viewer runs this.
// Usage: node assets/diagram/build.mjs OUTPUT_DIR
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, '..', 'node_modules');
const out = process.argv[2];
if (!out) {
  throw new Error('usage: node assets/diagram/build.mjs OUTPUT_DIR');
}

const version = (name) =>
  JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version;
const banner =
  `/*! Ventanilla diagram viewer, built by scripts/build-diagram-viewer: bpmn-js ${version('bpmn-js')}` +
  ` and diagram-js ${version('diagram-js')} (MIT with the bpmn.io watermark clause,` +
  ` https://bpmn.io/license), bpmn-auto-layout ${version('bpmn-auto-layout')},` +
  ` bpmn-moddle ${version('bpmn-moddle')}, min-dash, min-dom, tiny-svg (MIT). */`;

// Rules for what only the modeler draws: palette, context pad, popup menus, search,
// resizing, bendpoints, dragging, snapping. A rule is dropped only when every one of its
// selectors names one of these.
const MODELER_ONLY = [
  '.djs-palette', '.djs-context-pad', '.djs-popup', '[data-popup', '.djs-search',
  '.djs-resize', '.djs-resizer', '.djs-bendpoint', '.djs-segment-dragger', '.djs-lasso',
  '.djs-dragging-active-lasso', '.djs-snap-line', '.djs-crosshair', '.djs-hover-tooltip',
  '.djs-dragger', '.djs-dragging', '.djs-drag-active', '.djs-cursor-', '.djs-updating',
  '.djs-resizing', '.djs-tooltip-error', '.drop-not-ok', '.connect-ok', '.connect-not-ok',
  '.attach-ok', '.new-parent'
];

/** Top-level blocks of a stylesheet (`selector { … }` or `@rule { … }`), comments dropped. */
function blocks(css) {
  const found = [];
  let start = 0;
  let depth = 0;
  let quote = null;
  css = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      quote = c === quote ? null : quote;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      found.push(css.slice(start, i + 1).trim());
      start = i + 1;
    }
  }
  return found;
}

function forViewer(css) {
  return blocks(css)
    .filter((block) => {
      if (block.startsWith('@')) {
        return true;
      }
      const selectors = block.slice(0, block.indexOf('{')).split(',');
      return !selectors.every((s) => MODELER_ONLY.some((name) => s.includes(name)));
    })
    .join('\n');
}

const viewerStylesheets = {
  name: 'bpmn-js-viewer-css',
  setup(build) {
    build.onLoad({ filter: /bpmn-js[\\/]dist[\\/]assets[\\/][^\\/]+\.css$/ }, async (args) => ({
      contents: forViewer(await readFile(args.path, 'utf8')),
      loader: 'css'
    }));
  }
};

const common = {
  bundle: true,
  minify: true,
  // Browsers with ES modules, CSS variables and optional chaining: what bpmn-js supports.
  target: ['es2020', 'chrome100', 'edge100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning'
};

await esbuild.build({
  ...common,
  entryPoints: [path.join(here, 'diagram.js')],
  format: 'esm',
  platform: 'browser',
  banner: { js: banner },
  outfile: path.join(out, 'diagram.min.js')
});
await esbuild.build({
  ...common,
  entryPoints: [path.join(here, 'diagram.css')],
  plugins: [viewerStylesheets],
  banner: { css: banner },
  outfile: path.join(out, 'diagram.min.css')
});
