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
  const assets = [...html.matchAll(/["'=]([^"'=\s>]+\.(?:js|wasm|css))(?=["'\s>])/g)].map((m) => m[1]).filter((a) => !a.endsWith('sw.js'));
  return { index, assets: [...new Set(assets)] };
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const { index, assets } = await shell();
      const cache = await caches.open(CACHE);
      await cache.put('./', index);
      await cache.addAll(assets);
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
      const response = await fetch(event.request);
      if (response.ok) cache.put(event.request, response.clone());
      return response;
    })(),
  );
});
