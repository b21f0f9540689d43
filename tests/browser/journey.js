// The manual's teacher journey in headless Chromium, driven over the Chrome DevTools Protocol: first login,
// password change, the pledge with its countdown, filling the form, uploads, 暂存, reload, 提交 with red errors,
// fixing them, 提交成功 and 在线预览. Run with JavaScript on (`js`) or off (`nojs`); every step must work both ways.
// Usage: node journey.js BASE_URL USERNAME js|nojs SCREENSHOT_DIR FIXTURE_DIR
// Exits non-zero with a message on the first failed expectation. Started by tests/it/appraisal/browser.rs.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const CDP = require('chrome-remote-interface');

const [base, username, mode, shots, fixtures] = process.argv.slice(2);
if (!base || !username || !['js', 'nojs'].includes(mode) || !shots || !fixtures) {
  console.error('usage: node journey.js BASE_URL USERNAME js|nojs SCREENSHOT_DIR FIXTURE_DIR');
  process.exit(2);
}
const js = mode === 'js';
const PASSWORD = 'liucheng2026';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function fail(message) {
  throw new Error(`[${mode}] ${message}`);
}

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiping-chromium-'));
  const chromium = spawn('/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
    '--remote-debugging-port=0', '--window-size=1280,900', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  chromium.stderr.on('data', (chunk) => { stderr += chunk; });
  // Chromium writes the port it chose into this file; it may exist a moment before its content does.
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
    let page;
    for (let i = 0; i < 100 && !page; i++) {
      const targets = await CDP.List({ port }).catch(() => []);
      page = targets.find((target) => target.type === 'page');
      if (!page) { await sleep(100); }
    }
    if (!page) { fail('chromium opened no page'); }
    client = await CDP({ port, target: page });
    const { Page, DOM, Input, Emulation, Runtime, Network } = client;
    await Promise.all([Page.enable(), DOM.enable(), Runtime.enable(), Network.enable()]);
    await Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
    await Emulation.setScriptExecutionDisabled({ value: !js });
    let lastStatus = 0;
    let currentUrl = '';
    Network.responseReceived(({ type, response }) => { if (type === 'Document') { lastStatus = response.status; } });
    Page.frameNavigated(({ frame }) => { if (!frame.parentId) { currentUrl = frame.url; } });
    Page.javascriptDialogOpening(() => { Page.handleJavaScriptDialog({ accept: true }); });

    const loaded = () => new Promise((resolve) => Page.loadEventFired(resolve));
    async function go(url) {
      const wait = loaded();
      await Page.navigate({ url: base + url });
      await wait;
    }
    async function root() { return (await DOM.getDocument({ depth: -1 })).root.nodeId; }
    async function node(selector) {
      const { nodeId } = await DOM.querySelector({ nodeId: await root(), selector });
      if (!nodeId) { fail(`no element ${selector} on ${await url()}`); }
      return nodeId;
    }
    async function exists(selector) {
      const { nodeId } = await DOM.querySelector({ nodeId: await root(), selector });
      return nodeId !== 0;
    }
    async function html(selector = 'body') { return (await DOM.getOuterHTML({ nodeId: await node(selector) })).outerHTML; }
    async function url() { return currentUrl; }
    async function expectText(text, where = 'body') {
      const content = await html(where);
      if (!content.includes(text)) { fail(`expected "${text}" on ${await url()}`); }
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
    async function clickAndLoad(selector) {
      const wait = loaded();
      await click(selector);
      await wait;
      await sleep(150);
    }
    async function type(selector, text) {
      await DOM.focus({ nodeId: await node(selector) });
      await Input.insertText({ text });
    }
    // Date fields become the browser's date / month pickers with JavaScript (appraisal.js): set what a pick sets.
    async function typeDate(selector, text) {
      if (!js) { await type(selector, text); return; }
      const set = `(function(i){i.value=${JSON.stringify(text)};i.dispatchEvent(new Event('change',{bubbles:true}));return i.type;})(document.querySelector(${JSON.stringify(selector)}))`;
      const kind = (await Runtime.evaluate({ expression: set, returnByValue: true })).result.value;
      if (kind !== 'date' && kind !== 'month') { fail(`${selector} should be a date picker, is ${kind}`); }
    }
    async function choose(selector, value) {
      // Marks the option selected as a user's choice would; the select has not been touched, so this holds.
      const option = await node(`${selector} option[value="${value}"]`);
      await DOM.setAttributeValue({ nodeId: option, name: 'selected', value: 'selected' });
    }
    async function upload(selector, file) {
      await DOM.setFileInputFiles({ nodeId: await node(selector), files: [path.join(fixtures, file)] });
    }
    async function shot(name) {
      const metrics = await Page.getLayoutMetrics();
      const height = Math.ceil(Math.min(metrics.cssContentSize.height, 6000));
      const { data } = await Page.captureScreenshot({
        format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height, scale: 1 },
      });
      fs.writeFileSync(path.join(shots, `${mode}-${name}.png`), Buffer.from(data, 'base64'));
    }

    try {
      await journey();
    } catch (error) {
      await shot('failure').catch(() => {});
      fs.writeFileSync(path.join(shots, `${mode}-failure.html`), await html('html').catch(() => ''));
      throw error;
    }
  async function journey() {
    // 1. First login with the default password: redirected to 修改密码.
    await go('/login');
    await shot('01-login');
    await type('#username', username);
    await type('#password', '00000000');
    await clickAndLoad('button.primary');
    if (!(await url()).endsWith('/password')) { fail(`expected the password change, got ${await url()}`); }
    await type('#current', '00000000');
    await type('#new_password', PASSWORD);
    await type('#confirm', PASSWORD);
    await shot('02-password');
    await clickAndLoad('button.primary');
    await expectText('密码修改成功');
    await shot('03-password-changed');
    await clickAndLoad('.dialog a.button');
    await expectText('我的教科研成果鉴定状态');
    await expectText('未填报');
    await shot('04-home');

    // 2. The pledge: 同意 counts down (JS) and the server enforces 15 s and the box either way.
    await clickAndLoad('nav.main a[href="/appraisal"]');
    await expectText('诚信承诺书');
    if (js) {
      await sleep(2100);
      const button = await html('#pledge-agree');
      if (!/disabled/.test(button) || !/1[0-4]秒/.test(button)) { fail(`countdown expected, got ${button}`); }
      await shot('05-pledge-countdown');
      await sleep(13500);
      await click('#pledge-agree');
      await sleep(300);
      await expectText('请勾选承诺');
      await shot('06-pledge-unticked');
    } else {
      await shot('05-pledge');
      await clickAndLoad('#pledge-agree');
      if (lastStatus !== 422) { fail(`early 同意 must be refused, got ${lastStatus}`); }
      await expectText('至少15秒');
      await sleep(15500);
      await clickAndLoad('#pledge-agree');
      await expectText('请勾选承诺');
      await shot('06-pledge-unticked');
    }
    await click('#agree');
    await clickAndLoad('#pledge-agree');
    await expectText('基本信息');
    await expectText('不可修改。若信息有误，请联系学校管理员进行修改。');
    await shot('07-form-empty');

    // 3. Fill everything but 本人承担部分 and the confirmation; upload the files; 暂存.
    await choose('#title_grade', '中级');
    await choose('#title_name', '一级教师');
    await typeDate('#title_date', '2015-09-01');
    await type('#research_direction', '职业教育课程改革');
    await type('#major_college', '无');
    await type('#major_bachelor', '机械工程');
    await type('#major_graduate', '教育学');
    await choose('#applied_subject', '机械');
    await type('#teaching_subject', '机械基础');
    await type('#a0-title', '中职机械基础课程项目化教学研究');
    await click('#achievement-0 input[name="achievements.0.level"][value="formal"]');
    await click('#achievement-0 input[name="achievements.0.type_code"][value="monograph"]');
    if (js && (await html('#achievement-0 .type-fields[data-type="journal_paper"]')).indexOf('display: none') < 0) {
      fail('JavaScript shows only the chosen type\'s inputs');
    }
    await typeDate('#a0-monograph-published', '2019-05');
    await type('#a0-monograph-publisher', '高等教育出版社');
    await type('#a0-monograph-rank', '1/3');
    await type('#a0-monograph-cip', '2019102034');
    await click('#achievement-0 input[name="achievements.0.independent"][value="1"]');
    await upload('#a0-achievement_file', 'text.pdf');
    await upload('#a0-evidence-formal', 'scan.pdf');
    await shot('08-form-filled');
    await clickAndLoad('.form-actions button[value="save"]');
    await expectText('暂存成功');

    // 4. Reload: everything kept, the files listed with 点击查看.
    await go('/appraisal');
    for (const kept of ['职业教育课程改革', '中职机械基础课程项目化教学研究', '2019102034', 'text.pdf', 'scan.pdf', '点击查看']) {
      await expectText(kept);
    }
    await shot('09-saved-reloaded');

    // 5. 新增成果 and 删除: in the page (JS) or by round trips (no JS); the maximum prompt either way.
    if (js) {
      await click('.add-achievement');
      await sleep(200);
      if (!(await exists('#achievement-1'))) { fail('新增成果 did not add a block'); }
      await click('.add-achievement');
      await sleep(200);
      await expectText('教科研成果数量至多为2项，不可再次添加。');
      await shot('10-max-prompt');
      await click('.overlay button');
      await clickAndLoad('#achievement-1 .remove-achievement');
    } else {
      await clickAndLoad('.add-achievement');
      if (!(await exists('#achievement-1'))) { fail('新增成果 did not add a block'); }
      await clickAndLoad('.add-achievement');
      await expectText('教科研成果数量至多为2项，不可再次添加。');
      await shot('10-max-prompt');
      await clickAndLoad('#achievement-1 .remove-achievement');
      await expectText('确定删除教研成果信息2吗？一旦删除，不可恢复。');
      await clickAndLoad('#achievement-1 .notice button.danger');
    }
    if (await exists('#achievement-1')) { fail('删除 did not remove the second achievement'); }

    // 6. 提交 with the missing fields: red messages under them, input kept.
    await clickAndLoad('.form-actions button[value="submit"]');
    if (lastStatus !== 422) { fail(`a failed 提交 answers 422, got ${lastStatus}`); }
    await expectText('本人承担部分不能为空');
    await expectText('请勾选');
    await expectText('职业教育课程改革');
    await shot('11-submit-errors');
    if (js) {
      const focused = (await Runtime.evaluate({ expression: 'document.activeElement && document.activeElement.id' })).result.value;
      if (focused !== 'a0-own_part') { fail(`focus should be on the first error, was ${focused}`); }
    }

    // 7. Fix and 提交: 提交成功, then 在线预览.
    await type('#a0-own_part', '全部');
    await click('#confirmed_instructions');
    await clickAndLoad('.form-actions button[value="submit"]');
    await expectText('提交成功');
    await shot('12-submitted');
    await clickAndLoad('a[href="/appraisal/preview"]');
    await expectText('在线预览');
    await expectText('点击查看');
    await expectText('出版：于2019-05由高等教育出版社发表，排序/排名：1/3；CIP号为2019102034');
    await shot('13-preview');
    await go('/appraisal');
    await expectText('已提交，等待学校审核');
    await expectText('撤回');
    await shot('15-read-only');
    await go('/');
    await expectText('待审核');
    await shot('14-home-submitted');
    console.log(`[${mode}] journey passed`);
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
