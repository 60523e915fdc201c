// Drives the harness's approval page in Debian's chromium through playwright-core (no browser
// download). Run by ApprovalPageBrowserTest, which starts the harness and passes, in AFS_WEB (JSON):
// {url, secret, pending, hidden, shots}. Prints one line per check and exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const cfg = JSON.parse(process.env.AFS_WEB);
const browser = await chromium.launch({
  executablePath: process.env.AFS_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
let passed = 0;
let lastPage = null; // on a failure its screenshot and text tell what the browser saw
const check = async (name, fn) => {
  await fn();
  passed++;
  console.log(`ok ${passed} - ${name}`);
};

/** A browser of `user` behind the authenticating proxy: the proxy's headers and its shared secret. */
async function asUser(user, groups) {
  const context = await browser.newContext({
    extraHTTPHeaders: { 'X-Forwarded-User': user, 'X-Forwarded-Groups': groups, 'X-Afs-Proxy-Secret': cfg.secret },
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
  lastPage = page;
  return { context, page };
}

try {
  const alice = await asUser('alice', 'payments-approvers,payments');
  const csp = [];
  alice.page.on('console', (m) => { if (m.text().includes('Content Security Policy')) csp.push(m.text()); });

  await check('an approver sees only her team\'s queue', async () => {
    const res = await alice.page.goto(`${cfg.url}/web/`);
    assert.equal(res.status(), 200);
    assert.equal(await alice.page.textContent('#who'), 'web:alice (payments, payments-approvers)');
    assert.ok(await alice.page.isVisible('section[data-env="payments/prod"]'));
    assert.equal(await alice.page.locator('section[data-env="search/prod"]').count(), 0);
    const body = await alice.page.content();
    assert.ok(body.includes(cfg.pending), 'the pending request is listed');
    assert.ok(!body.includes(cfg.hidden), 'the other team\'s request is not');
    await alice.page.screenshot({ path: `${cfg.shots}/queue.png`, fullPage: true });
  });

  await check('the request page shows verified evidence, the planned change and every gate', async () => {
    await alice.page.click(`a[href="/web/requests/${cfg.pending}"]`);
    await alice.page.waitForSelector('#state');
    assert.equal(await alice.page.textContent('#state'), 'PENDING_APPROVAL');
    const verify = await alice.page.textContent('.evidence .verify');
    assert.match(verify, /^VERIFIED: evidence\[0\] \/evidence\/.* sha256 [0-9a-f]{64} verified at .*signed by capture key [0-9a-f]{16}/);
    assert.match(await alice.page.textContent('.evidence pre.content'), /OutOfMemoryError/);
    const actions = await alice.page.textContent('table.actions');
    assert.match(actions, /"replicas":2/, 'the live state of the target');
    assert.match(actions, /replicas=4/, 'the planned value');
    const gates = await alice.page.textContent('#gates');
    for (const g of ['evidence', 'allowlist', 'namespaces', 'target', 'guardrails', 'budget', 'loops', 'confidence', 'approvals']) {
      assert.ok(gates.includes(g), `gate ${g} is listed`);
    }
    assert.match(await alice.page.textContent('.why'), /^2 approvals \(two-person rule\) because the team\/env's changes.min_approvals is 2/);
    assert.equal(await alice.page.textContent('#approvals'), '0 of 2 approvals');
    assert.match(await alice.page.textContent('#timeline'), /first cited evidence captured[\s\S]*submit[\s\S]*VALIDATING → PENDING_APPROVAL/);
  });

  await check('a script planted in the hypothesis is shown as text and does not run', async () => {
    const h = await alice.page.textContent('#hypothesis');
    assert.ok(h.includes("<script>document.getElementById('approve').click()</script>"), h);
    assert.equal(await alice.page.locator('#hypothesis script, #hypothesis img').count(), 0);
    assert.equal(await alice.page.evaluate(() => window.pwned), undefined);
    assert.equal(await alice.page.textContent('#approvals'), '0 of 2 approvals', 'nothing clicked Approve');
    // the page's own script (from /web/static) runs under the same policy
    assert.equal(await alice.page.evaluate(() => document.documentElement.dataset.script), 'loaded');
    await alice.page.screenshot({ path: `${cfg.shots}/request.png`, fullPage: true });
  });

  await check('the approver approves', async () => {
    await alice.page.click('#approve');
    await alice.page.waitForSelector('#notice');
    assert.equal(await alice.page.textContent('#notice'), 'Your approval was recorded.');
    assert.equal(await alice.page.textContent('#approvals'), '1 of 2 approvals');
    assert.equal(await alice.page.textContent('#state'), 'PENDING_APPROVAL');
  });

  await check('the submitter\'s own approve is refused', async () => {
    const carol = await asUser('carol', 'payments-approvers,payments');
    await carol.page.goto(`${cfg.url}/web/requests/${cfg.pending}`);
    await carol.page.click('#approve');
    await carol.page.waitForSelector('#error');
    assert.match(await carol.page.textContent('#error'), /user:carol submitted request .* and cannot approve it/);
    assert.equal(await carol.page.textContent('#approvals'), '1 of 2 approvals');
    await carol.context.close();
  });

  await check('the same approver twice is still one approval', async () => {
    await alice.page.click('#approve');
    await alice.page.waitForSelector('#error');
    assert.match(await alice.page.textContent('#error'), /user:alice already approved/);
    assert.equal(await alice.page.textContent('#approvals'), '1 of 2 approvals');
  });

  await check('a second approver completes the two-person request and the dry-run diff is shown', async () => {
    const bob = await asUser('bob', 'payments-approvers,payments');
    await bob.page.goto(`${cfg.url}/web/requests/${cfg.pending}`);
    await bob.page.click('#approve');
    await bob.page.waitForSelector('#notice');
    let state = '';
    for (let i = 0; i < 100 && state !== 'SUCCEEDED'; i++) {
      await bob.page.goto(`${cfg.url}/web/requests/${cfg.pending}`);
      state = await bob.page.textContent('#state');
      if (state !== 'SUCCEEDED') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(state, 'SUCCEEDED');
    const actions = await bob.page.textContent('table.actions');
    assert.match(actions, /DRY_RUN/);
    assert.match(actions, /"field" : "spec.replicas"[\s\S]*"before" : 2[\s\S]*"after" : 4/);
    assert.match(await bob.page.textContent('#timeline'), /APPROVED[\s\S]*EXECUTING[\s\S]*SUCCEEDED/);
    await bob.page.screenshot({ path: `${cfg.shots}/succeeded.png`, fullPage: true });
    await bob.context.close();
  });

  await check('the proxy\'s headers without its secret are refused', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-User': 'alice', 'X-Forwarded-Groups': 'payments-approvers' } });
    const page = await context.newPage();
    const res = await page.goto(`${cfg.url}/web/requests/${cfg.pending}`);
    assert.equal(res.status(), 403);
    assert.match(await page.textContent('body'), /came without X-Afs-Proxy-Secret/);
    assert.ok(!(await page.content()).includes('OutOfMemoryError'), 'nothing of the request is shown');
    await context.close();
  });

  await check('no Content-Security-Policy violation was needed to render the pages', async () => {
    // a violation report means the page itself tried inline script; the planted one is text, not script
    assert.deepEqual(csp, []);
  });
  console.log(`${passed} passed, 0 failed`);
} catch (e) {
  console.log(`not ok ${passed + 1} - ${e.stack || e}`);
  if (lastPage) {
    await lastPage.screenshot({ path: `${cfg.shots}/failure.png`, fullPage: true }).catch(() => {});
    console.log(`the page (${lastPage.url()}) said: ${(await lastPage.textContent('body').catch(() => '')).slice(0, 2000)}`);
  }
  console.log(`${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
