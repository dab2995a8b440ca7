// The procedure's diagram on the officials' case page, with the current step highlighted.
//
// Reads everything from the container's data- attributes (no inline script: the CSP is
// script-src 'self'). Styles go through the CSS object model only, which style-src 'self'
// allows; the look of the current step comes from a CSS class (a bpmn-js marker).
import Viewer from 'bpmn-js/lib/Viewer';
import { layoutProcess } from 'bpmn-auto-layout';

const CURRENT_STEP = 'vt-diagram-current';
const PADDING = 24; // around the drawing, in diagram units
const WATERMARK_ROOM = 40; // below the drawing, for the bpmn.io watermark
const SMALLEST_SCALE = 0.85; // smaller labels are hard to read: scroll instead
const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** A diagram drawn in an editor brings its own layout (DI); use it as it is. A look at the
 * text, not DOMParser: on a broken file Chrome's parser-error document carries style
 * attributes, which the CSP refuses (bpmn-moddle reports the error instead). */
function hasLayout(xml) {
  return /<([\w.-]+:)?BPMNShape[\s/>]/.test(xml);
}

async function fetchDiagram(url) {
  const response = await fetch(url, {
    credentials: 'same-origin',
    headers: { Accept: 'application/xml' }
  });
  if (!response.ok) {
    throw new Error(`diagram: ${url} answered ${response.status}`);
  }
  const xml = await response.text();
  return hasLayout(xml) ? xml : layoutProcess(xml);
}

/** Draw at a readable size: shrink to the width available, but not below SMALLEST_SCALE;
 * what does not fit scrolls sideways. */
function fitToFrame(canvas, frame) {
  const inner = canvas.viewbox().inner;
  const box = {
    x: inner.x - PADDING,
    y: inner.y - PADDING,
    width: inner.width + 2 * PADDING,
    height: inner.height + 2 * PADDING + WATERMARK_ROOM
  };
  const scale = Math.min(1, Math.max(SMALLEST_SCALE, frame.clientWidth / box.width));
  const drawing = canvas.getContainer();
  drawing.style.width = `${Math.ceil(box.width * scale)}px`;
  drawing.style.height = `${Math.ceil(box.height * scale)}px`;
  canvas.resized();
  canvas.viewbox(box);
  return { box, scale };
}

function highlight(canvas, registry, taskId, scroller, { box, scale }) {
  const element = taskId && registry.get(taskId);
  if (!element) {
    return;
  }
  canvas.addMarker(element, CURRENT_STEP);
  const centre = (element.x + element.width / 2 - box.x) * scale;
  scroller.scrollLeft = Math.max(0, centre - scroller.clientWidth / 2);
}

async function show(container) {
  const frame = container.querySelector('.vt-diagram__frame');
  const legend = container.querySelector('.vt-diagram__legend');
  const failed = container.querySelector('.vt-diagram__error');
  container.hidden = false;
  const viewer = new Viewer({
    container: frame,
    textRenderer: { defaultStyle: { fontFamily: FONT_FAMILY } }
  });
  try {
    await viewer.importXML(await fetchDiagram(container.dataset.diagramUrl));
  } catch (error) {
    viewer.destroy();
    frame.hidden = true;
    legend.hidden = true;
    failed.hidden = false;
    console.warn(error); // eslint-disable-line no-console
    return;
  }
  const canvas = viewer.get('canvas');
  const scroller = frame.querySelector('.bjs-container');
  const fitted = fitToFrame(canvas, frame);
  highlight(canvas, viewer.get('elementRegistry'), container.dataset.currentTask, scroller, fitted);
  const svg = canvas.getContainer().querySelector('svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', container.dataset.imageLabel || '');
  container.classList.add('vt-diagram--ready');
}

for (const container of document.querySelectorAll('.vt-diagram[data-diagram-url]')) {
  show(container);
}
