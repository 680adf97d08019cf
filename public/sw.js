// Pistil's service worker: keeps the app shell (index.html and its hashed assets) so a tablet that
// was used once starts with no network at all. The API is never cached: data lives in IndexedDB.
const CACHE = 'pistil-shell-v1';

// index.html names every asset the app needs (Trunk's hashed js, wasm and css); keep them all.
async function keepShell(html) {
  const cache = await caches.open(CACHE);
  const assets = new Set();
  for (const m of html.matchAll(/(?:href|src)="(\/[^"]+)"/g)) assets.add(m[1]);
  for (const m of html.matchAll(/from '(\/[^']+)'|init\(\s*\{?\s*module_or_path:\s*'(\/[^']+)'/g)) {
    assets.add(m[1] || m[2]);
  }
  await Promise.all(
    [...assets].map(async (url) => {
      if (await cache.match(url)) return;
      const res = await fetch(url);
      if (res.ok) await cache.put(url, res);
    })
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const res = await fetch('/index.html', { cache: 'no-store' });
      const html = await res.clone().text();
      const cache = await caches.open(CACHE);
      await cache.put('/index.html', res);
      await keepShell(html);
      await self.skipWaiting();
    })()
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })()
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  if (req.mode === 'navigate') {
    // Network first, so a new release is picked up; the kept shell when there is no network.
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok) {
            const html = await res.clone().text();
            const cache = await caches.open(CACHE);
            await cache.put('/index.html', res.clone());
            event.waitUntil(keepShell(html));
          }
          return res;
        } catch (e) {
          const kept = await caches.match('/index.html');
          if (kept) return kept;
          throw e;
        }
      })()
    );
    return;
  }
  // Hashed assets never change: the kept copy first, the network for anything new.
  event.respondWith(
    (async () => {
      const kept = await caches.match(req);
      if (kept) return kept;
      const res = await fetch(req);
      if (res.ok) {
        const cache = await caches.open(CACHE);
        await cache.put(req, res.clone());
      }
      return res;
    })()
  );
});
