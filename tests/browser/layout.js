// Every page of every role, measured in headless Chromium (issue 15, items 3 and 7): signs in as each login given,
// walks every page that login can reach (the GET page routes of its role, from the route table, plus every link
// found on the way that matches one of them), and at 1366, 1024 and 390 px checks that
//  - the page does not scroll sideways and no element reaches past the viewport,
//  - at 1024 px and up no box hides content behind a scroll bar of its own (a table cut off at 操作),
//  - no placeholder is cut, no file size breaks across lines, no label runs into its value;
// then runs axe-core (the npm package, injected here over the protocol: zhiping does not serve it) and fails on
// any serious or critical violation. Screenshots of every page at every width go to SCREENSHOT_DIR.
// Usage: node layout.js BASE_URL PLAN_JSON SCREENSHOT_DIR
//   PLAN_JSON: [{ "label", "username", "password", "routes": ["/admin/teachers", "/admin/teachers/:id", ...] }]
// Prints every problem, then `layout passed` or exits non-zero. Started by tests/it/layout.rs.
'use strict';

const fs = require('fs');
const path = require('path');
const { open, sleep } = require('./chrome');
const { measure, axeViolations } = require('./checks');

const [base, planFile, shots] = process.argv.slice(2);
if (!base || !planFile || !shots) {
  console.error('usage: node layout.js BASE_URL PLAN_JSON SCREENSHOT_DIR');
  process.exit(2);
}
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const WIDTHS = [1366, 1024, 390];
const NEW_PASSWORD = 'liucheng2026';

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const { client, close } = await open();
  const failures = [];
  const pagesSeen = [];
  try {
    const { Page, Runtime, Network, Emulation } = client;
    await Promise.all([Page.enable(), Runtime.enable(), Network.enable()]);
    let response = null;
    Network.responseReceived(({ type, response: answer }) => { if (type === 'Document') { response = answer; } });
    Page.javascriptDialogOpening(() => { Page.handleJavaScriptDialog({ accept: true }); });
    const width = (px) => Emulation.setDeviceMetricsOverride({ width: px, height: 900, deviceScaleFactor: 1, mobile: px < 600 });
    const evaluate = async (expression, awaitPromise = false) => {
      const { result, exceptionDetails } = await Runtime.evaluate({ expression, awaitPromise, returnByValue: true });
      if (exceptionDetails) { throw new Error(`in page: ${JSON.stringify(exceptionDetails).slice(0, 400)}`); }
      return result.value;
    };
    async function go(url) {
      response = null;
      const loaded = Page.loadEventFired();
      await Page.navigate({ url: base + url });
      await Promise.race([loaded, sleep(15000)]);
      await sleep(100);
      return evaluate('location.pathname + location.search');
    }
    async function submitForm(fields) {
      const loaded = Page.loadEventFired();
      await evaluate(`(function () {
        var values = ${JSON.stringify(fields)};
        Object.keys(values).forEach(function (id) { document.getElementById(id).value = values[id]; });
        document.querySelector('main form button.primary, main form button[type=submit]').click();
      })()`);
      await Promise.race([loaded, sleep(15000)]);
      await sleep(150);
    }

    const patterns = (routes) => routes.map((route) => ({
      route,
      regex: new RegExp('^' + route.replace(/:[a-z_]+/g, '[^/]+') + '$'),
      fixed: !route.includes(':'),
    }));
    const routeOf = (known, pathname) =>
      (known.find((p) => p.fixed && p.regex.test(pathname)) || known.find((p) => p.regex.test(pathname)) || {}).route;

    async function check(label, url) {
      const at = await go(url);
      const status = response ? response.status : 0;
      const mime = response ? response.mimeType : '';
      if (mime !== 'text/html') { return { at, skipped: true }; }
      if (status >= 500) { failures.push(`${label} ${url}: answered ${status}`); }
      const slug = `${label}${at.split('?')[0].replace(/[^a-z0-9]+/gi, '_')}`.replace(/_+$/, '');
      pagesSeen.push(`${label} ${at}`);
      for (const px of WIDTHS) {
        await width(px);
        await sleep(120);
        const problems = await evaluate(`(${measure.toString()})(${px >= 1024})`);
        for (const problem of problems) { failures.push(`${label} ${at} @${px}px: ${problem}`); }
        const metrics = await Page.getLayoutMetrics();
        const height = Math.ceil(Math.min(metrics.cssContentSize.height, 4000));
        const { data } = await Page.captureScreenshot({
          format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: px, height, scale: 1 },
        });
        fs.writeFileSync(path.join(shots, `${slug}-${px}.png`), Buffer.from(data, 'base64'));
      }
      await width(1366);
      await sleep(80);
      const violations = await axeViolations(evaluate);
      for (const violation of violations) { failures.push(`${label} ${at} axe: ${violation}`); }
      const links = await evaluate(`Array.prototype.map.call(document.querySelectorAll('a[href]'), function (a) {
        return a.origin === location.origin && !a.hasAttribute('download') ? a.pathname + a.search : null;
      }).filter(Boolean)`);
      return { at, links };
    }

    // Signed out: the login page, the browser notice, the verification page.
    await check('public', '/login');
    await check('public', '/browser');
    await check('public', '/verify');

    for (const login of plan) {
      await Network.clearBrowserCookies();
      await go('/login');
      await submitForm({ username: login.username, password: login.password });
      let at = await evaluate('location.pathname');
      if (at === '/password') {
        await submitForm({ current: login.password, new_password: NEW_PASSWORD, confirm: NEW_PASSWORD });
        at = await evaluate('location.pathname');
      }
      if (at === '/login') { failures.push(`${login.label}: could not sign in as ${login.username}`); continue; }
      const known = patterns(login.routes);
      const done = new Set();
      const queue = ['/', ...login.routes.filter((route) => !route.includes(':'))];
      while (queue.length) {
        const url = queue.shift();
        const route = routeOf(known, url.split('?')[0]);
        if (!route || done.has(route)) { continue; }
        done.add(route);
        const result = await check(login.label, url);
        if (result.skipped) { continue; }
        for (const link of result.links) {
          const next = routeOf(known, link.split('?')[0]);
          if (next && !done.has(next)) { queue.push(link); }
        }
      }
      const unreached = login.routes.filter((route) => !done.has(route));
      console.log(`${login.label}: ${done.size} routes visited; not linked from any page: ${unreached.join(' ') || 'none'}`);
    }
  } finally {
    await close();
  }
  fs.writeFileSync(path.join(shots, 'pages.txt'), pagesSeen.join('\n') + '\n');
  console.log(`${pagesSeen.length} pages measured at ${WIDTHS.join(', ')} px`);
  if (failures.length) {
    console.log(failures.join('\n'));
    console.log(`${failures.length} layout or accessibility problems`);
    process.exit(1);
  }
  console.log('layout passed');
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
