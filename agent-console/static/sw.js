// Rapport's service worker: shows the alerts Web Push brings while the console is
// closed ("New conversation: Jane Doe" — "Where is my order?"), and opens the
// conversation when one is clicked.
self.addEventListener('push', (event) => {
  let alert = {};
  try {
    alert = event.data ? event.data.json() : {};
  } catch (_) {
    alert = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(self.registration.showNotification(alert.title || 'Rapport', {
    body: alert.body || '',
    tag: alert.tag,
    data: { url: alert.url || '/console/' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/console/';
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const console = open.find((w) => new URL(w.url).pathname.startsWith('/console/'));
    if (console) {
      await console.focus();
      return console.navigate(url);
    }
    return self.clients.openWindow(url);
  })());
});
