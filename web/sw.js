// Offline after the first visit: the whole bundle cached at install, served cache-first.
// The cache is named after the build (scripts/post-build.mjs writes the name), so a
// new build changes this file, the browser installs it, and the old cache goes.
const CACHE = 'mail-lab-v1';

async function shell() {
  const index = await fetch('./', { cache: 'no-store' });
  // An error page must not replace a working cache: the install fails instead.
  if (!index.ok) throw index.status;
  const html = await index.clone().text();
  // Asset paths, quoted or not (the release html is minified).
  const assets = [...html.matchAll(/["'=]([^"'=\s>]+\.(?:js|wasm|css|lzma))(?=["'\s>])/g)].map((m) => m[1]).filter((a) => !a.endsWith('sw.js'));
  return { index, assets: [...new Set(assets)] };
}

// The release build ships the wasm LZMA-compressed (scripts/post-build.mjs, which puts
// the decoder `unlzma` above this file). The worker keeps it decoded as well, under the
// name without `.lzma`, and a page it controls asks for that name: a returning learner's
// browser compiles the wasm as it streams from the cache, with no decode.
async function unpacked(cache, packed) {
  const response = (await cache.match(packed)) ?? (await fetch(packed));
  if (!response.ok) throw new Error(`${packed}: ${response.status}`);
  const bytes = unlzma(new Uint8Array(await response.arrayBuffer()));
  // The .lzma format has no checksum: what is kept for every later visit is checked here.
  if (!WebAssembly.validate(bytes)) throw new Error(`${packed}: not a valid wasm once decoded`);
  const wasm = new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  await cache.put(packed.replace(/\.lzma$/, ''), wasm.clone());
  return wasm;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const { index, assets } = await shell();
      const cache = await caches.open(CACHE);
      await cache.put('./', index);
      // A .wasm the page names beside its .wasm.lzma is made here, not fetched.
      const made = (asset) => assets.includes(`${asset}.lzma`);
      await cache.addAll(assets.filter((asset) => !made(asset)));
      for (const asset of assets) if (made(asset)) await unpacked(cache, `${asset}.lzma`);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = event.request.mode === 'navigate';
      const hit = await cache.match(page ? './' : event.request);
      if (hit) return hit;
      // A decoded wasm the cache lost: decoded again from the shipped one.
      // If that fails too, the page is answered from the network (and then decodes the
      // .lzma itself).
      if (url.pathname.endsWith('.wasm') && typeof unlzma === 'function') {
        try {
          return await unpacked(cache, `${url.pathname}.lzma`);
        } catch {
          return fetch(event.request);
        }
      }
      const response = await fetch(event.request);
      if (response.ok) cache.put(event.request, response.clone());
      return response;
    })(),
  );
});
