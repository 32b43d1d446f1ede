// The playground's service worker (the build fills in the cache name and the asset list;
// see vite.config.js). Install caches every file of the site; requests are answered from
// the cache first, so the playground works offline once loaded. A new build has a new
// cache name; activation deletes the old caches.
const CACHE = __SUPAUDIT_CACHE__;
const ASSETS = __SUPAUDIT_ASSETS__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      // The page itself is cached as `./`; `index.html` and query strings map to it.
      const hit = (await cache.match(request, { ignoreSearch: true })) ??
        (request.mode === 'navigate' ? await cache.match('./') : undefined);
      if (hit) return hit;
      return fetch(request);
    }),
  );
});
