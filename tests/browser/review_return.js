// The return path of the review chain in headless Chromium, over the Chrome DevTools Protocol like journey.js:
// the teacher (already returned by the school) signs in, the 消息提醒 box pops up over 首页 as a modal, 查看 shows
// the reason, viewing marks it read, and the teacher fixes the returned form and submits it again.
// Usage: node review_return.js BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
// Exits non-zero with a message on the first failed expectation. Started by tests/it/review/browser.rs.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const CDP = require('chrome-remote-interface');

const [base, username, password, shots] = process.argv.slice(2);
if (!base || !username || !password || !shots) {
  console.error('usage: node review_return.js BASE_URL USERNAME PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function fail(message) { throw new Error(`[review] ${message}`); }

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
    async function expectText(text) { if (!(await html()).includes(text)) { fail(`expected "${text}" on ${currentUrl}`); } }
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
      const { data } = await Page.captureScreenshot({ format: 'png' });
      fs.writeFileSync(path.join(shots, `review-${name}.png`), Buffer.from(data, 'base64'));
    }

    try {
      // Sign in: 首页 with the 消息提醒 pop-up, which app.js turned into a modal box.
      await go('/login');
      await type('#username', username);
      await type('#password', password);
      await clickAndLoad('button.primary');
      if (!currentUrl.endsWith('/')) { fail(`expected 首页 after sign-in, got ${currentUrl}`); }
      const popup = await evaluate("(document.getElementById('message-popup') || {}).className || ''");
      if (!popup.includes('modal')) { fail(`the 消息提醒 pop-up is not a modal: "${popup}"`); }
      await expectText('证明材料填写不规范');
      await shot('01-home-popup');
      // 查看: the messages page with who, the date and the reason.
      await clickAndLoad('#message-popup a');
      if (!currentUrl.endsWith('/messages')) { fail(`查看 should open 消息提醒, got ${currentUrl}`); }
      await expectText('成果鉴定消息提醒');
      await expectText('申报材料消息提醒');
      await expectText('学校审核');
      await shot('02-messages');
      // 返回: read now, so no pop-up.
      await clickAndLoad("a.button[href='/']");
      if ((await html()).includes('id="message-popup"')) { fail('a read return still pops up'); }
      // Fix the returned form and submit it again.
      await go('/appraisal');
      await evaluate("document.getElementById('research_direction').value = ''");
      await type('#research_direction', '语文课程与教学');
      await clickAndLoad('button[name="action"][value="submit"]');
      await expectText('提交成功');
      await shot('03-resubmitted');
      await go('/');
      await expectText('待审核');
      console.log('[review] return journey passed');
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
