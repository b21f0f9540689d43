// The teacher's journey with the keyboard alone (issue 15, item 7): every control is reached with Tab and used
// with Enter or Space (Input.dispatchKeyEvent), text is typed into the focused field. Sign in, change the default
// password, open 教科研成果鉴定 from the navigation, tick and accept the pledge, fill fields (text, a select with
// the arrow keys, a radio with Space), 暂存, then 提交 (refused with its red messages, focus on the first one: the
// files a complete submission needs are chosen in the system's file dialog, outside the page).
// Usage: node keyboard.js BASE_URL USERNAME SCREENSHOT_DIR
// Exits non-zero with a message on the first failed expectation. Started by tests/it/layout.rs.
'use strict';

const fs = require('fs');
const path = require('path');
const { open, sleep } = require('./chrome');
const { measure, axeViolations } = require('./checks');

const [base, username, shots] = process.argv.slice(2);
if (!base || !username || !shots) {
  console.error('usage: node keyboard.js BASE_URL USERNAME SCREENSHOT_DIR');
  process.exit(2);
}
const PASSWORD = 'liucheng2026';
function fail(message) { throw new Error(`[keyboard] ${message}`); }

const KEYS = {
  Tab: { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9 },
  Enter: { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' },
  Space: { key: ' ', code: 'Space', windowsVirtualKeyCode: 32, text: ' ' },
  ArrowDown: { key: 'ArrowDown', code: 'ArrowDown', windowsVirtualKeyCode: 40 },
};

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const { client, close } = await open();
  try {
    const { Page, Runtime, Input, Emulation, Network } = client;
    await Promise.all([Page.enable(), Runtime.enable(), Network.enable()]);
    await Emulation.setDeviceMetricsOverride({ width: 1366, height: 900, deviceScaleFactor: 1, mobile: false });
    let status = 0;
    Network.responseReceived(({ type, response }) => { if (type === 'Document') { status = response.status; } });
    const evaluate = async (expression, awaitPromise = false) =>
      (await Runtime.evaluate({ expression, awaitPromise, returnByValue: true })).result.value;
    const where = () => evaluate('location.pathname');
    const text = () => evaluate('document.body.innerText');
    const shot = async (name) => {
      const { data } = await Page.captureScreenshot({ format: 'png' });
      fs.writeFileSync(path.join(shots, `${name}.png`), Buffer.from(data, 'base64'));
    };
    async function press(name, modifiers = 0) {
      const key = KEYS[name];
      await Input.dispatchKeyEvent({ type: key.text ? 'keyDown' : 'rawKeyDown', modifiers, ...key });
      await Input.dispatchKeyEvent({ type: 'keyUp', modifiers, ...key });
    }
    // Tab (only Tab) until `selector` has the focus; a control the keyboard cannot reach fails here.
    async function tabTo(selector) {
      for (let i = 0; i < 250; i++) {
        if (await evaluate(`!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)) { return; }
        await press('Tab');
      }
      fail(`Tab never reaches ${selector} on ${await where()}`);
    }
    async function typeInto(selector, value) {
      await tabTo(selector);
      await Input.insertText({ text: value });
    }
    async function andLoad(action) {
      const loaded = Page.loadEventFired();
      await action();
      await Promise.race([loaded, sleep(15000)]);
      await sleep(200);
    }
    // The states only this journey reaches (the saved form, the refused 提交) are measured and run through axe too.
    async function checkHere() {
      const problems = (await evaluate(`(${measure.toString()})(true)`)).concat(await axeViolations(evaluate));
      if (problems.length) { fail(`on ${await where()}:\n${problems.join('\n')}`); }
    }
    async function expectText(wanted) {
      if (!(await text()).includes(wanted)) { await shot('failure'); fail(`expected "${wanted}" on ${await where()}`); }
    }

    await andLoad(() => Page.navigate({ url: `${base}/login` }));
    await typeInto('#username', username);
    await typeInto('#password', '00000000');
    await andLoad(() => press('Enter'));
    if ((await where()) !== '/password') { fail(`expected the password change, got ${await where()}`); }
    await typeInto('#current', '00000000');
    await typeInto('#new_password', PASSWORD);
    await typeInto('#confirm', PASSWORD);
    await andLoad(() => press('Enter'));
    await expectText('密码修改成功');
    await tabTo('.dialog a');
    await andLoad(() => press('Enter'));
    await expectText('我的教科研成果鉴定状态');
    await shot('01-home');

    await tabTo('nav.main a[href="/appraisal"]');
    await andLoad(() => press('Enter'));
    await expectText('诚信承诺书');
    await sleep(15500);
    await tabTo('#agree');
    await press('Space');
    if (!(await evaluate('document.getElementById("agree").checked'))) { fail('Space did not tick the pledge box'); }
    await tabTo('#pledge-agree');
    await shot('02-pledge');
    await andLoad(() => press('Enter'));
    await expectText('基本信息');

    await typeInto('#research_direction', '职业教育课程改革');
    await tabTo('#title_grade');
    await press('ArrowDown');
    if (!(await evaluate('document.getElementById("title_grade").value'))) { fail('ArrowDown chose no title grade'); }
    await typeInto('#a0-title', '中职机械基础课程项目化教学研究');
    await tabTo('#achievement-0 input[name="achievements.0.level"]');
    await press('Space');
    if (!(await evaluate('!!document.querySelector(\'#achievement-0 input[name="achievements.0.level"]:checked\')'))) {
      fail('Space did not choose the level radio');
    }
    await shot('03-filled');
    await tabTo('.form-actions button[value="save"]');
    await andLoad(() => press('Enter'));
    await expectText('暂存成功');
    if ((await evaluate('document.getElementById("a0-title").value')) !== '中职机械基础课程项目化教学研究') {
      fail('the saved title is not in the form after 暂存');
    }
    await shot('04-saved');
    await checkHere();

    await tabTo('.form-actions button[value="submit"]');
    await andLoad(() => press('Space'));
    if (status !== 422) { fail(`提交 without files answers 422, got ${status}`); }
    await expectText('不能为空');
    const focused = await evaluate('document.activeElement && (document.activeElement.id || document.activeElement.tagName)');
    await shot('05-submit-errors');
    await checkHere();
    console.log(`focus after the refused 提交: ${focused}`);
    console.log('keyboard journey passed');
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
