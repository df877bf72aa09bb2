/**
 * PNG: the SVG drawing rasterized by resvg. resvg is a native npm package, kept out of the bundle and
 * required only here, so activating the extension or running any other command never loads it.
 */

/** The slice of @resvg/resvg-js used here (typed locally so the import stays lazy). */
interface ResvgModule {
  Resvg: new (svg: string, opts: ResvgOptions) => { render(): { asPng(): Buffer } };
}
interface ResvgOptions {
  fitTo: { mode: 'zoom'; value: number };
  font: { loadSystemFonts: boolean; defaultFontFamily: string; sansSerifFamily: string; monospaceFamily: string };
}

/** Twice the SVG's size, so the text stays legible when the image is shown on a high-density screen. */
const ZOOM = 2;

export function svgToPng(svg: string): Buffer {
  const { Resvg } = loadResvg();
  // Text falls back to these families; a machine without any font still renders the boxes and lines.
  const font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans', monospaceFamily: 'DejaVu Sans Mono' };
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: ZOOM }, font }).render().asPng();
}

function loadResvg(): ResvgModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@resvg/resvg-js') as ResvgModule;
  } catch (e) {
    throw new Error(`PNG export: cannot load @resvg/resvg-js (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`, { cause: e });
  }
}
