// Trunk post-build hook, on the staged page (release builds only):
// 1. The page's JS is minified: wasm-bindgen's glue and the service worker.
//    Trunk's own JS minifier (minify-js) gives up on the glue ("Failed to
//    minify JS: RequiredTokenNotFound", at `export default`) and writes it as
//    is. The glue's import names and exports are property names and module
//    exports, which terser keeps. Measured: 8.2 -> 6.3 KB gzip.
// 2. The wasm's imports, and its closure exports that carry a hash, get short
//    names in the wasm and the glue alike (scripts/short-imports.mjs): about
//    4.5 KB gzip less.
// 3. The wasm is shipped LZMA-compressed (`xz --format=lzma`, the size written
//    into the header) and the page's loader decodes it (web/unlzma.mjs, inlined):
//    400 KB gzip -> 323 KB. LZMA's window covers the whole module; gzip's
//    covers 32 KB. The loader decodes the stream as it arrives and the browser
//    compiles what is decoded meanwhile; scripts/bench-page.mjs measures the load. The service worker keeps the wasm decoded, so
//    a returning learner's page pays no decode (web/sw.js).
// 4. The service worker's cache is named after this build. A browser installs
//    a new worker only when sw.js changes; with one fixed name, a returning
//    learner would be served the first build they saw for ever.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { shortenExports, shortenImports } from './short-imports.mjs';

// lc=4, lp=0, pb=0: wasm is byte-oriented. Measured on the page: 322.5 KB
// against 323.5 KB with xz's defaults.
export const LZMA_OPTIONS = ['--format=lzma', '--lzma1=preset=9e,lc=4,lp=0,pb=0', '--stdout'];

/** `bytes` as an .lzma stream whose header carries its size (xz writes "unknown"). */
export function lzma(bytes) {
  const packed = execFileSync('xz', LZMA_OPTIONS, { input: bytes, maxBuffer: 1 << 30 });
  let size = bytes.length;
  for (let i = 5; i < 13; i++) {
    packed[i] = size % 256;
    size = Math.floor(size / 256);
  }
  return packed;
}

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE === 'release' && dir) {
  // The service worker decodes the wasm too (web/sw.js).
  const decoder = fs.readFileSync(new URL('../web/unlzma.mjs', import.meta.url), 'utf8').replaceAll('export function', 'function');
  const worker = path.join(dir, 'sw.js');
  fs.writeFileSync(worker, `${decoder}\n${fs.readFileSync(worker, 'utf8')}`);
  // Loaded only here: debug builds and `trunk serve` do not need it.
  const { minify } = await import('terser');
  const options = (module) => ({ module, compress: { passes: 2 }, mangle: true });
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = path.join(dir, name);
    fs.writeFileSync(file, (await minify(fs.readFileSync(file, 'utf8'), options(name !== 'sw.js'))).code);
  }

  const wasmName = fs.readdirSync(dir).find((n) => n.endsWith('_bg.wasm'));
  const glueName = wasmName.replace(/_bg\.wasm$/, '.js');
  const [wasmFile, glueFile] = [path.join(dir, wasmName), path.join(dir, glueName)];
  const short = shortenImports(fs.readFileSync(wasmFile), fs.readFileSync(glueFile, 'utf8'));
  const shorter = shortenExports(short.wasm, short.glue);
  fs.writeFileSync(glueFile, shorter.glue);
  const packedName = `${wasmName}.lzma`;
  fs.writeFileSync(path.join(dir, packedName), lzma(shorter.wasm));
  fs.rmSync(wasmFile);

  // The loader: trunk's module script fetches the .lzma and hands a stream of the decoded bytes to
  // wasm-bindgen's init, which compiles them as they come, as it would a fetched .wasm.
  const indexFile = path.join(dir, 'index.html');
  let html = fs.readFileSync(indexFile, 'utf8');
  const script = /<script type=module>([\s\S]*?)<\/script>/.exec(html);
  const load = `module_or_path: './${wasmName}'`;
  if (!script || !script[1].includes(load)) throw new Error(`index.html: no module script with ${load}`);
  // A page the service worker controls asks it for the wasm it keeps decoded; if that
  // fails (a worker without it), the page decodes the .lzma as an uncontrolled one does.
  // wasm-bindgen's init takes either: a Response it compiles as it streams, or bytes.
  const fetchAndDecode =
    `module_or_path: (() => {` +
    `const packed = () => fetch('./${packedName}').then((r) => {` +
    `if (!r.ok) throw new Error('${packedName}: ' + r.status);` +
    // Decoded as it arrives, and compiled as it is decoded: wasm-bindgen's init hands a
    // Response to WebAssembly.instantiateStreaming. An error in the stream fails the init.
    `const t = performance.now(), stream = lzmaStream(), reader = r.body.getReader();` +
    `return new Response(new ReadableStream({ async pull(c) { for (;;) {` +
    `const { done, value } = await reader.read(), bytes = stream.push(value ?? new Uint8Array(0), done);` +
    // A copy: the decoder reads back from its output, and a stream may take what it is given.
    `if (bytes.length) c.enqueue(bytes.slice());` +
    // A named measure, for DevTools and scripts/bench-page.mjs: response to last byte decoded.
    `if (done) { c.close(); try { performance.measure('unlzma', { start: t }); } catch {} return; }` +
    `if (bytes.length) return; } } }), { headers: { 'content-type': 'application/wasm' } });` +
    `});` +
    `return navigator.serviceWorker?.controller ? fetch('./${wasmName}').then((r) => (r.ok ? r : packed()), packed) : packed();` +
    `})()`;
  const loader = (await minify(`${script[1].replace(load, fetchAndDecode)}\n${decoder}`, options(true))).code;
  // The worker finds both names in the page, quoted (web/sw.js, shell()).
  for (const name of [wasmName, packedName]) if (!loader.includes(`"./${name}"`)) throw new Error(`loader: no "./${name}"`);
  html = html.replace(script[0], () => `<script type=module>${loader}</script>`);
  // No preload: which file the page asks for is known only when its script runs, and
  // an unused preload is a console warning.
  const preload = `<link as=fetch crossorigin href=./${wasmName} rel=preload type=application/wasm>`;
  if (!html.includes(preload)) throw new Error(`index.html: no ${preload}`);
  html = html.replace(preload, '');
  fs.writeFileSync(indexFile, html);

  // index.html names every asset by trunk's content hash and carries the loader: its
  // own hash names the build.
  const build = crypto.createHash('sha256').update(html).digest('hex');
  const source = fs.readFileSync(worker, 'utf8');
  const cacheName = /(["'`])mail-lab-v1\1/;
  if (!cacheName.test(source)) throw new Error('sw.js: no mail-lab-v1 cache name to version');
  fs.writeFileSync(worker, source.replace(cacheName, `'mail-lab-${build.slice(0, 12)}'`));
}
