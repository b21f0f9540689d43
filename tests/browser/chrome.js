// Starts headless Chromium with a throw-away profile and opens a DevTools Protocol client on its first page.
// Shared by layout.js and keyboard.js (journey.js and review_return.js carry their own copy).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const CDP = require('chrome-remote-interface');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function open() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiping-chromium-'));
  const chromium = spawn('/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1366,900', 'about:blank',
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
  const close = async (client) => {
    if (client) { await client.close().catch(() => {}); }
    const exited = new Promise((resolve) => chromium.once('exit', resolve));
    chromium.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (error) { /* a leftover temp folder only */ }
  };
  if (!port) { await close(); throw new Error(`chromium did not start: ${stderr}`); }
  let target;
  for (let i = 0; i < 100 && !target; i++) {
    const targets = await CDP.List({ port }).catch(() => []);
    target = targets.find((candidate) => candidate.type === 'page');
    if (!target) { await sleep(100); }
  }
  if (!target) { await close(); throw new Error('chromium opened no page'); }
  const client = await CDP({ port, target });
  return { client, close: () => close(client) };
}

module.exports = { open, sleep };
