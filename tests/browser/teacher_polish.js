// Issue 15, the teacher's side, in headless Chromium over the Chrome DevTools Protocol (like journey.js), with
// JavaScript on (`js`) or off (`nojs`): the pledge button's accessible name, date pickers, the title list filtered
// by grade, the byte counter's wording, a failed 提交 with a refused file (every message, the summary's links, the
// focus on the first error), and closing the 消息提醒 pop-up for good.
// Usage: node teacher_polish.js BASE_URL FILER RETURNED PASSWORD js|nojs SCREENSHOT_DIR FIXTURE_DIR
//   FILER: a demo teacher on the default password (files the form); RETURNED: a teacher already returned by the
//   school, signed in with PASSWORD.
// Exits non-zero with a message on the first failed expectation. Started by tests/it/appraisal/browser_polish.rs.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const CDP = require('chrome-remote-interface');

const [base, filer, returned, password, mode, shots, fixtures] = process.argv.slice(2);
if (!base || !filer || !returned || !password || !['js', 'nojs'].includes(mode) || !shots || !fixtures) {
  console.error('usage: node teacher_polish.js BASE_URL FILER RETURNED PASSWORD js|nojs SCREENSHOT_DIR FIXTURE_DIR');
  process.exit(2);
}
const js = mode === 'js';
const NEW_PASSWORD = 'liucheng2026';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function fail(message) { throw new Error(`[polish ${mode}] ${message}`); }

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
    const { Page, DOM, Input, Emulation, Runtime, Network, Accessibility } = client;
    await Promise.all([Page.enable(), DOM.enable(), Runtime.enable(), Network.enable(), Accessibility.enable()]);
    await Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
    await Emulation.setScriptExecutionDisabled({ value: !js });
    let currentUrl = '';
    let lastStatus = 0;
    Network.responseReceived(({ type, response }) => { if (type === 'Document') { lastStatus = response.status; } });
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
    async function exists(selector) { return (await DOM.querySelector({ nodeId: await root(), selector })).nodeId !== 0; }
    async function html(selector = 'body') { return (await DOM.getOuterHTML({ nodeId: await node(selector) })).outerHTML; }
    async function expectText(text) { if (!(await html()).includes(text)) { fail(`expected "${text}" on ${currentUrl}`); } }
    // DevTools evaluation runs even while the page's own scripts are disabled.
    async function evaluate(expression) {
      const { result, exceptionDetails } = await Runtime.evaluate({ expression, returnByValue: true });
      if (exceptionDetails) { fail(`evaluate failed: ${expression}`); }
      return result.value;
    }
    async function click(selector) {
      const nodeId = await node(selector);
      await DOM.scrollIntoViewIfNeeded({ nodeId });
      const { quads } = await DOM.getContentQuads({ nodeId });
      if (!quads.length) { fail(`${selector} is not visible`); }
      const q = quads[0];
      const x = (q[0] + q[2] + q[4] + q[6]) / 4;
      const y = (q[1] + q[3] + q[5] + q[7]) / 4;
      await Input.dispatchMouseEvent({ type: 'mouseMoved', x, y });
      await Input.dispatchMouseEvent({ type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
      await Input.dispatchMouseEvent({ type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
    }
    async function clickAndLoad(selector) { const wait = loaded(); await click(selector); await wait; await sleep(200); }
    async function type(selector, text) { await DOM.focus({ nodeId: await node(selector) }); await Input.insertText({ text }); }
    async function accessibleName(selector) {
      const { nodes } = await Accessibility.getPartialAXTree({ nodeId: await node(selector), fetchRelatives: false });
      return (nodes[0] && nodes[0].name && nodes[0].name.value) || '';
    }
    async function shot(name) {
      const metrics = await Page.getLayoutMetrics();
      const height = Math.ceil(Math.min(metrics.cssContentSize.height, 6000));
      const { data } = await Page.captureScreenshot({
        format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height, scale: 1 },
      });
      fs.writeFileSync(path.join(shots, `polish-${mode}-${name}.png`), Buffer.from(data, 'base64'));
    }
    async function signIn(username, current, next) {
      await go('/login');
      await type('#username', username);
      await type('#password', current);
      await clickAndLoad('button.primary');
      if (next && currentUrl.endsWith('/password')) {
        await type('#current', current);
        await type('#new_password', next);
        await type('#confirm', next);
        await clickAndLoad('button.primary');
      }
    }

    try {
      await steps();
    } catch (error) {
      await shot('failure').catch(() => {});
      fs.writeFileSync(path.join(shots, `polish-${mode}-failure.html`), await html('html').catch(() => ''));
      throw error;
    }

    async function steps() {
      // 1. The pledge: with JavaScript, 同意 counts down and its accessible name keeps 同意 with the seconds.
      await signIn(filer, '00000000', NEW_PASSWORD);
      await go('/appraisal');
      await expectText('诚信承诺书');
      await sleep(1200);
      const name = await accessibleName('#pledge-agree');
      if (js && !(name.includes('同意') && /\d+秒/.test(name))) { fail(`pledge button name: "${name}"`); }
      if (!js && name !== '同意') { fail(`pledge button name without JavaScript: "${name}"`); }
      await shot('01-pledge');
      await sleep(14500);
      await click('#agree');
      await clickAndLoad('#pledge-agree');
      await expectText('基本信息');

      // 2. Date fields: the browser's pickers with JavaScript, text boxes without.
      const dateType = await evaluate("document.getElementById('title_date').type");
      const monthType = await evaluate("document.getElementById('a0-monograph-published').type");
      if (js && (dateType !== 'date' || monthType !== 'month')) { fail(`pickers expected, got ${dateType} / ${monthType}`); }
      if (!js && (dateType !== 'text' || monthType !== 'text')) { fail(`text boxes expected, got ${dateType} / ${monthType}`); }
      if (js) {
        // What the picker holds is what the server reads.
        await evaluate("(function(i){i.value='2015-09-01';i.dispatchEvent(new Event('change',{bubbles:true}));return i.value;})(document.getElementById('title_date'))");
      } else {
        await type('#title_date', '2015-09-01');
      }

      // 3. The title list follows the grade (JavaScript); without it every title stays listed.
      await evaluate("(function(s){s.value='副高级';s.dispatchEvent(new Event('change',{bubbles:true}));})(document.getElementById('title_grade'))");
      const titles = await evaluate("Array.prototype.map.call(document.getElementById('title_name').options, function(o){return o.value;}).join(',')");
      if (js && (titles.includes('一级教师') || !titles.includes('高级讲师') || !titles.includes('其它'))) {
        fail(`titles of 副高级 only expected, got ${titles}`);
      }
      if (!js && !titles.includes('一级教师')) { fail(`every title without JavaScript, got ${titles}`); }

      // 4. The byte counter, as a sentence (live with JavaScript).
      await type('#a0-own_part', '编'.repeat(86));
      const counter = await evaluate("document.getElementById('a0-own_part-count').textContent");
      if (js && !counter.includes('已超出3字节，请删减')) { fail(`counter: ${counter}`); }
      if (counter.includes('还可输入0（')) { fail(`old counter wording: ${counter}`); }
      await shot('02-form-enhanced');

      // 5. 提交 with an image-only PDF as the achievement file: every message at once, nothing submitted.
      await evaluate("document.getElementById('a0-own_part').value = ''");
      await type('#a0-title', '中职机械基础课程项目化教学研究');
      await click('#achievement-0 input[name="achievements.0.level"][value="formal"]');
      await click('#achievement-0 input[name="achievements.0.type_code"][value="monograph"]');
      await DOM.setFileInputFiles({ nodeId: await node('#a0-achievement_file'), files: [path.join(fixtures, 'scan.pdf')] });
      if (js) {
        // With a file chosen, appraisal.js sends the form with upload progress and writes the answer in place.
        await click('.form-actions button[value="submit"]');
        for (let i = 0; i < 100 && !(await html().catch(() => '')).includes('提交未成功'); i++) { await sleep(100); }
        await sleep(500);
      } else {
        await clickAndLoad('.form-actions button[value="submit"]');
      }
      if (!js && lastStatus !== 422) { fail(`a failed 提交 answers 422, got ${lastStatus}`); }
      for (const text of ['提交未成功，材料尚未提交', '不接受图片扫描转PDF格式', '研究方向不能为空', '本人承担部分不能为空']) {
        await expectText(text);
      }
      // Every summary link leads to an element on the page.
      const links = await evaluate("Array.prototype.map.call(document.querySelectorAll('#error-summary a'), function(a){return a.getAttribute('href');})");
      if (!links || links.length < 5) { fail(`summary links expected, got ${JSON.stringify(links)}`); }
      for (const href of links) {
        if (!href.startsWith('#') || !(await exists(href))) { fail(`summary link ${href} leads nowhere`); }
      }
      // The first error's field has the focus and is scrolled into view.
      const focus = await evaluate(
        "(function(e){if(!e||e===document.body)return null;var r=e.getBoundingClientRect();return {id:e.id,top:r.top,scroll:window.scrollY};})(document.activeElement)");
      if (!focus || `#${focus.id}` !== links[0]) { fail(`focus on ${links[0]} expected, got ${JSON.stringify(focus)}`); }
      if (focus.top < 0 || focus.top > 900 || focus.scroll <= 0) { fail(`the first error is not in view: ${JSON.stringify(focus)}`); }
      await shot('03-submit-refused-file');
      // The picked date survived the round trip.
      if ((await evaluate("document.getElementById('title_date').value")) !== '2015-09-01') { fail('取得日期 lost'); }

      // 6. The returned teacher: the 消息提醒 pop-up closes, and stays closed.
      await Network.clearBrowserCookies();
      await signIn(returned, password, null);
      await go('/');
      if (!(await exists('#message-popup'))) { fail('the 消息提醒 pop-up is missing'); }
      await shot('04-popup');
      if (js) {
        await click('#message-popup form.popup-close button');
        await sleep(600);
        if (await exists('#message-popup')) { fail('关闭 did not close the pop-up'); }
      } else {
        await clickAndLoad('#message-popup form.popup-close button');
        if (!currentUrl.endsWith('/')) { fail(`back to 首页 expected, got ${currentUrl}`); }
      }
      await go('/');
      if (await exists('#message-popup')) { fail('the pop-up came back after 关闭'); }
      await shot('05-popup-closed');
      console.log(`[polish ${mode}] passed`);
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
