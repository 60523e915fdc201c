// The approval page's only script, served from /web/static (the CSP forbids inline script).
// It adds conveniences; every decision is made by the server.
'use strict';
document.documentElement.dataset.script = 'loaded';
document.addEventListener('DOMContentLoaded', () => {
  // ages next to times, so "how long has this waited" needs no arithmetic
  const now = Date.now();
  for (const t of document.querySelectorAll('time')) {
    const at = Date.parse(t.getAttribute('datetime') || t.textContent);
    if (!Number.isNaN(at)) {
      const min = Math.round((now - at) / 60000);
      const age = document.createElement('span');
      age.className = 'age';
      age.textContent = min < 1 ? ' (just now)' : min < 120 ? ` (${min} min ago)` : ` (${Math.round(min / 60)} h ago)`;
      t.after(age);
    }
  }
  // a rejection needs a reason: say so before the round trip
  const reject = document.getElementById('reject-form');
  if (reject) {
    reject.addEventListener('submit', (e) => {
      const reason = document.getElementById('reason');
      if (!reason.value.trim()) {
        e.preventDefault();
        reason.setCustomValidity('say why you reject it');
        reason.reportValidity();
      }
    });
  }
});
