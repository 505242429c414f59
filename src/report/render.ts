/** Vega-Lite spec -> SVG text, in Node: vega's headless view, no browser and no canvas. */
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Inline SVG in HTML needs no namespace declarations; dropping them keeps the page free of URLs.
    return svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}
