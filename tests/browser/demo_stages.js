// A newcomer's walk through `serve --demo` in headless Chromium, over the Chrome DevTools Protocol like
// journey.js: with only the logins the server printed, reach every stage of the review chain — a draft, a
// submission waiting at the school, at the department, for the city's 受理, under expert review, graded, and last
// year's published result — and grade as the expert right away, changing no setting.
// Usage: node demo_stages.js BASE_URL LOGINS_JSON SCREENSHOT_DIR
//   LOGINS_JSON: {"draft": u, "published": u, "expert": u, "school": u, "department": u, "city": u,
//                 "admin_password": p, "city_password": p}
// Exits non-zero with a message on the first failed expectation. Started by tests/it/demo.rs.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const CDP = require('chrome-remote-interface');

const [base, loginsJson, shots] = process.argv.slice(2);
if (!base || !loginsJson || !shots) {
  console.error('usage: node demo_stages.js BASE_URL LOGINS_JSON SCREENSHOT_DIR');
  process.exit(2);
}
const logins = JSON.parse(loginsJson);
const NEW_PASSWORD = 'xinshou2026';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function fail(message) { throw new Error(`[demo] ${message}`); }

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiping-chromium-'));
  const chromium = spawn('/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
    '--remote-debugging-port=0', '--window-size=1280,900', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  chromium.stderr.on('data', (chunk) => { stderr += chunk; });
  const portFile = path.join(profile, 'DevToolsActivePort');
  let port = 0;
  for (let i = 0; i < 300 && !port; i++) {
    if (fs.existsSync(portFile)) { port = Number(fs.readFileSync(portFile, 'utf8').split('\n')[0]) || 0; }
    if (!port) { await sleep(100); }
  }
  if (!port) { chromium.kill('SIGKILL'); fail(`chromium did not start: ${stderr}`); }
  return { chromium, profile, port };
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const { chromium, profile, port } = await launch();
  let client;
  try {
    let target;
    for (let i = 0; i < 100 && !target; i++) {
      const targets = await CDP.List({ port }).catch(() => []);
      target = targets.find((candidate) => candidate.type === 'page');
      if (!target) { await sleep(100); }
    }
    if (!target) { fail('chromium opened no page'); }
    client = await CDP({ port, target });
    const { Page, DOM, Input, Emulation, Runtime } = client;
    await Promise.all([Page.enable(), DOM.enable(), Runtime.enable()]);
    await Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
    let currentUrl = '';
    Page.frameNavigated(({ frame }) => { if (!frame.parentId) { currentUrl = frame.url; } });
    Page.javascriptDialogOpening(() => { Page.handleJavaScriptDialog({ accept: true }); });

    const loaded = () => new Promise((resolve) => Page.loadEventFired(resolve));
    async function go(url) { const wait = loaded(); await Page.navigate({ url: base + url }); await wait; }
    async function root() { return (await DOM.getDocument({ depth: -1 })).root.nodeId; }
    async function node(selector) {
      const { nodeId } = await DOM.querySelector({ nodeId: await root(), selector });
      if (!nodeId) { fail(`no element ${selector} on ${currentUrl}`); }
      return nodeId;
    }
    async function html() { return (await DOM.getOuterHTML({ nodeId: await node('html') })).outerHTML; }
    async function expectText(...texts) {
      const content = await html();
      for (const text of texts) { if (!content.includes(text)) { fail(`expected "${text}" on ${currentUrl}`); } }
    }
    async function evaluate(expression) { return (await Runtime.evaluate({ expression, returnByValue: true })).result.value; }
    async function clickAndLoad(selector) {
      const nodeId = await node(selector);
      await DOM.scrollIntoViewIfNeeded({ nodeId });
      const { quads } = await DOM.getContentQuads({ nodeId });
      if (!quads.length) { fail(`${selector} is not visible`); }
      const q = quads[0];
      const x = (q[0] + q[2] + q[4] + q[6]) / 4;
      const y = (q[1] + q[3] + q[5] + q[7]) / 4;
      const wait = loaded();
      await Input.dispatchMouseEvent({ type: 'mouseMoved', x, y });
      await Input.dispatchMouseEvent({ type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
      await Input.dispatchMouseEvent({ type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
      await wait;
      await sleep(150);
    }
    async function type(selector, text) { await DOM.focus({ nodeId: await node(selector) }); await Input.insertText({ text }); }
    async function shot(name) {
      const metrics = await Page.getLayoutMetrics();
      const height = Math.ceil(Math.min(metrics.cssContentSize.height, 6000));
      const { data } = await Page.captureScreenshot({
        format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height, scale: 1 },
      });
      fs.writeFileSync(path.join(shots, `demo-${name}.png`), Buffer.from(data, 'base64'));
    }
    // Signs in as a newcomer would; a default password is changed on the way, as the platform asks.
    async function signIn(username, password) {
      await go('/login');
      await type('#username', username);
      await type('#password', password);
      await clickAndLoad('button.primary');
      if (currentUrl.endsWith('/password')) {
        await type('#current', password);
        await type('#new_password', NEW_PASSWORD);
        await type('#confirm', NEW_PASSWORD);
        await clickAndLoad('button.primary');
        await expectText('密码修改成功');
        await go('/');
      }
      if (currentUrl.endsWith('/login')) { fail(`sign-in of ${username} failed`); }
    }
    async function signOut() { await clickAndLoad('form[action="/logout"] button'); }

    try {
      // A draft: the teacher's 首页 and form say 暂存, nothing submitted.
      await signIn(logins.draft, '00000000');
      await expectText('我的教科研成果鉴定状态');
      await go('/appraisal');
      await expectText('信息技术课程混合式教学设计研究');
      await shot('01-draft');
      await signOut();

      // The school and the department each have one waiting for them.
      await signIn(logins.school, logins.admin_password);
      await go('/review');
      await expectText('冯越', '待学校审核');
      await shot('02-school');
      await signOut();
      await signIn(logins.department, logins.admin_password);
      await go('/review');
      await expectText('许倩', '待主管部门审核');
      await shot('03-department');
      await signOut();

      // The city: one waiting for 受理, one under review, one graded.
      await signIn(logins.city, logins.city_password);
      await go('/review');
      await expectText('何平', '吕静', '评审中', '施洋', '评审完成');
      await shot('04-city');
      await signOut();

      // Last year's result under 往年鉴定结果打印.
      await signIn(logins.published, '00000000');
      await expectText('往年鉴定结果打印', '优秀');
      await shot('05-last-year');
      await signOut();

      // The expert: the task list, the blind submission, 提交 the grade at once.
      await signIn(logins.expert, '00000000');
      await go('/expert');
      await expectText('信息技术课程思政教学案例研究');
      await shot('06-expert-tasks');
      const href = await evaluate(
        "(Array.from(document.querySelectorAll('tr')).find((row) => row.textContent.includes('信息技术课程思政教学案例研究'))"
        + " || document).querySelector('a[href^=\"/expert/submissions/\"]').getAttribute('href')",
      );
      if (!href) { fail('no link to the assigned submission'); }
      await go(href);
      if ((await html()).includes('届时方可保存或提交')) { fail('expert review is not open'); }
      await evaluate("document.getElementById('grade').value = '良好'");
      await type('#opinion', '选题贴近教学实际，案例翔实，具有推广价值。');
      await shot('07-grading');
      await clickAndLoad('button[name="action"][value="submit"]');
      await expectText('鉴定意见已提交');
      await shot('08-graded');
      console.log('[demo] newcomer journey passed');
    } catch (error) {
      await shot('failure').catch(() => {});
      throw error;
    }
  } finally {
    if (client) { await client.close().catch(() => {}); }
    const exited = new Promise((resolve) => chromium.once('exit', resolve));
    chromium.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (error) { /* a leftover temp folder only */ }
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
