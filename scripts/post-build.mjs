// Trunk post-build hook, on the staged page (release builds only):
// 1. The service worker's cache is named after this build. A browser installs
//    a new worker only when sw.js changes; with one fixed name, a returning
//    learner would be served the first build they saw for ever.
// 2. The page's JS is minified: wasm-bindgen's glue and the service worker.
//    Trunk's own JS minifier (minify-js) gives up on the glue ("Failed to
//    minify JS: RequiredTokenNotFound", at `export default`) and writes it as
//    is. The glue's import names and exports are property names and module
//    exports, which terser keeps. Measured: 8.2 -> 6.3 KB gzip.
// 3. The wasm's imports, and its closure exports that carry a hash, get short
//    names in the wasm and the glue alike (scripts/short-imports.mjs): about
//    4.5 KB gzip less.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { shortenExports, shortenImports } from './short-imports.mjs';

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE === 'release' && dir) {
  // index.html names every asset by its content hash: its own hash names the build.
  const build = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'index.html'))).digest('hex');
  const worker = path.join(dir, 'sw.js');
  const source = fs.readFileSync(worker, 'utf8');
  if (!source.includes("'mail-lab-v1'")) throw new Error("sw.js: no 'mail-lab-v1' cache name to version");
  fs.writeFileSync(worker, source.replace("'mail-lab-v1'", `'mail-lab-${build.slice(0, 12)}'`));
  // Loaded only here: debug builds and `trunk serve` do not need it.
  const { minify } = await import('terser');
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = path.join(dir, name);
    const options = { module: name !== 'sw.js', compress: { passes: 2 }, mangle: true };
    fs.writeFileSync(file, (await minify(fs.readFileSync(file, 'utf8'), options)).code);
  }
  const wasmName = fs.readdirSync(dir).find((n) => n.endsWith('_bg.wasm'));
  const glueName = wasmName.replace(/_bg\.wasm$/, '.js');
  const [wasmFile, glueFile] = [path.join(dir, wasmName), path.join(dir, glueName)];
  const short = shortenImports(fs.readFileSync(wasmFile), fs.readFileSync(glueFile, 'utf8'));
  const shorter = shortenExports(short.wasm, short.glue);
  fs.writeFileSync(wasmFile, shorter.wasm);
  fs.writeFileSync(glueFile, shorter.glue);
}
