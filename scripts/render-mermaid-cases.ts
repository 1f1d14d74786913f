/**
 * Draw the diagrams the Mermaid parse test checks (test/render/mermaid-cases.ts)
 * with Mermaid's browser bundle in a local headless Chromium, one PNG each, so
 * a person can look at the layout after changing src/render/mermaid.ts.
 * A Mermaid error is drawn in red in place of the diagram and makes the script exit 1.
 *
 *   npx node scripts/render-mermaid-cases.ts [OUT_DIR]     (default build/mermaid)
 *
 * Needs a Chromium already on the machine (CHROMIUM, else /usr/bin/chromium;
 * Debian: apt-get install chromium). Nothing is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagramCases } from '../test/render/mermaid-cases.ts';

const outDir = resolve(process.argv[2] ?? 'build/mermaid');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const bundle = pathToFileURL(createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js')).href;
mkdirSync(outDir, { recursive: true });

const page = (source: string) => `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff">
<script src="${bundle}"></script>
<pre id="source" hidden>${source.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>
<div id="out"></div>
<script>
  mermaid.initialize({ startOnLoad: false });
  mermaid.render('diagram', document.getElementById('source').textContent)
    .then(({ svg }) => { document.getElementById('out').innerHTML = svg; document.title = 'rendered'; })
    .catch((e) => { document.getElementById('out').innerHTML = '<pre style="color:#cf222e">MERMAID ERROR</pre>';
      document.getElementById('out').firstChild.textContent += '\\n' + e.message; document.title = 'error'; });
</script>`;

let errors = 0;
for (const { name, source } of diagramCases()) {
  const html = join(outDir, `${name}.html`);
  const png = join(outDir, `${name}.png`);
  writeFileSync(html, page(source));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--allow-file-access-from-files', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
    '--virtual-time-budget=10000', '--window-size=1800,1200'];
  const dom = execFileSync(chromium, [...flags, '--dump-dom', pathToFileURL(html).href], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  execFileSync(chromium, [...flags, `--screenshot=${png}`, pathToFileURL(html).href], { stdio: 'ignore' });
  const failed = !dom.includes('<title>rendered</title>');
  if (failed) errors++;
  console.log(`${failed ? 'ERROR' : 'ok   '} ${name} -> ${png}`);
}
process.exit(errors > 0 ? 1 : 0);
