'use strict';
// The status page: polls /api/status and updates the rows in place (never a reload, never a rebuilt row, so a
// button keeps working while it updates), sends echo traffic if asked, and drives the demo servers.
(() => {
  const POLL_MS = 1000;
  const TRAFFIC_MS = 250;
  const WINDOW = 20; // echo replies counted per server

  const poolsEl = document.getElementById('pools');
  const liveEl = document.getElementById('live');
  const trafficBox = document.getElementById('traffic');
  const trafficEl = document.getElementById('traffic-summary');

  // Set once per page load; a test reads it back to prove the page updated without a reload.
  window.connpoolPageLoadedAt = Date.now();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** "in 1.2 s" or "3 s ago", by the server's clock. */
  function relative(iso, now) {
    if (!iso) return '';
    const seconds = (Date.parse(iso) - Date.parse(now)) / 1000;
    const amount = Math.abs(seconds) < 10 ? Math.abs(seconds).toFixed(1) : Math.round(Math.abs(seconds));
    return seconds >= 0 ? 'in ' + amount + ' s' : amount + ' s ago';
  }

  function poolSection(name) {
    let section = poolsEl.querySelector(`section[data-pool="${CSS.escape(name)}"]`);
    if (section) return section;
    section = el('section');
    section.dataset.pool = name;
    const title = el('h2');
    title.append(el('span', null, 'Pool ' + name), el('span', 'badge pool-status'));
    const table = el('table');
    const head = el('tr');
    for (const column of ['Server', 'Health', 'State', 'Active', 'Idle', 'Failures', 'Last error', 'Next retry', 'Demo server']) {
      head.append(el('th', null, column));
    }
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    section.append(title, el('p', 'stats'), table);
    poolsEl.append(section);
    return section;
  }

  function serverRow(tbody, address) {
    let row = tbody.querySelector(`tr[data-server="${CSS.escape(address)}"]`);
    if (row) return row;
    row = el('tr');
    row.dataset.server = address;
    const cells = ['address', 'health', 'state', 'active num', 'idle num', 'failures num', 'error', 'retry', 'demo'];
    for (const name of cells) row.append(el('td', name));
    row.querySelector('.health').append(el('span', 'badge'));
    tbody.append(row);
    return row;
  }

  function demoCell(cell, demo) {
    if (!demo) {
      cell.textContent = '';
      return;
    }
    if (!cell.firstChild) {
      const label = el('span', 'running');
      const stop = el('button', null, 'Stop');
      const start = el('button', null, 'Start');
      stop.dataset.action = 'stop';
      start.dataset.action = 'start';
      for (const button of [stop, start]) {
        button.addEventListener('click', () => demoAction(cell, button.dataset.action));
      }
      cell.append(label, stop, start);
    }
    cell.dataset.index = demo.index;
    cell.querySelector('.running').textContent = demo.name + (demo.running ? ' running' : ' stopped');
    if (!cell.dataset.busy) {
      cell.querySelector('[data-action=stop]').disabled = !demo.running;
      cell.querySelector('[data-action=start]').disabled = demo.running;
    }
    for (const button of cell.querySelectorAll('button')) {
      button.setAttribute('aria-label', button.textContent + ' ' + demo.name);
    }
  }

  async function demoAction(cell, action) {
    cell.dataset.busy = 'yes';
    for (const button of cell.querySelectorAll('button')) button.disabled = true;
    try {
      const response = await fetch(`/api/demo/servers/${cell.dataset.index}/${action}`, { method: 'POST' });
      if (!response.ok) throw new Error(action + ' answered HTTP ' + response.status);
    } catch (error) {
      liveEl.textContent = error.message;
      liveEl.className = 'live error';
    } finally {
      delete cell.dataset.busy;
      await refresh();
    }
  }

  function render(status) {
    const seen = new Set();
    for (const pool of status.pools) {
      seen.add(pool.name);
      const section = poolSection(pool.name);
      const badge = section.querySelector('.pool-status');
      badge.textContent = pool.status;
      badge.className = 'badge pool-status ' + pool.status;
      section.dataset.status = pool.status;
      section.querySelector('.stats').textContent =
          `${pool.active} active · ${pool.idle} idle · ${pool.pending} waiting · at most ${pool.max} · ` +
          `${pool.timeouts} acquire timeouts since start`;
      const tbody = section.querySelector('tbody');
      const rows = new Set();
      for (const server of pool.servers) {
        rows.add(server.address);
        const row = serverRow(tbody, server.address);
        row.dataset.status = server.status;
        row.dataset.state = server.state;
        row.querySelector('.address').textContent =
            server.address + (server.source && server.source !== server.address ? ' (' + server.source + ')' : '');
        const health = row.querySelector('.health .badge');
        health.textContent = server.status;
        health.className = 'badge ' + server.status;
        const state = row.querySelector('.state');
        state.textContent = server.state;
        row.querySelector('.active').textContent = server.active;
        row.querySelector('.idle').textContent = server.idle;
        row.querySelector('.failures').textContent = server.consecutiveFailures;
        row.querySelector('.error').textContent = server.lastError
            ? server.lastError + ' (' + relative(server.lastErrorAt, status.at) + ')' : '';
        row.querySelector('.retry').textContent = relative(server.nextRetry, status.at);
        demoCell(row.querySelector('.demo'), server.demo);
      }
      for (const row of tbody.querySelectorAll('tr')) {
        if (!rows.has(row.dataset.server)) row.remove();
      }
    }
    for (const section of poolsEl.querySelectorAll('section[data-pool]')) {
      if (!seen.has(section.dataset.pool)) section.remove();
    }
  }

  async function refresh() {
    try {
      const response = await fetch('/api/status', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      render(await response.json());
      liveEl.textContent = 'live · updated ' + new Date().toLocaleTimeString();
      liveEl.className = 'live ok';
    } catch (error) {
      liveEl.textContent = 'cannot reach the sample (' + error.message + '); retrying every second';
      liveEl.className = 'live error';
    }
  }

  async function poll() {
    await refresh();
    setTimeout(poll, POLL_MS);
  }

  // Echo traffic: a stopped server is noticed by the pool when its connections are used (or at the next
  // housekeeping sweep), and the replies show the other servers taking its share.
  const traffic = { sent: 0, answered: 0, failed: 0, lastProblem: '', servedBy: [] };

  function renderTraffic() {
    const counts = {};
    for (const name of traffic.servedBy) counts[name] = (counts[name] || 0) + 1;
    const share = Object.keys(counts).sort().map(name => `${name} ×${counts[name]}`).join(', ');
    trafficEl.textContent = `${traffic.sent} sent · ${traffic.answered} answered · ${traffic.failed} failed` +
        (share ? ` · last ${traffic.servedBy.length} answered by ${share}` : '') +
        (traffic.lastProblem ? ` · last failure: ${traffic.lastProblem}` : '');
    trafficEl.dataset.answered = traffic.answered;
    trafficEl.dataset.failed = traffic.failed;
  }

  async function sendEcho() {
    if (trafficBox.checked) {
      traffic.sent++;
      try {
        const response = await fetch('/api/echo?text=status-page-' + traffic.sent, { cache: 'no-store' });
        const body = await response.json();
        if (response.ok) {
          traffic.answered++;
          traffic.servedBy.push(body.serverName);
          if (traffic.servedBy.length > WINDOW) traffic.servedBy.shift();
        } else {
          traffic.failed++;
          traffic.lastProblem = (body.title || 'HTTP ' + response.status) + (body.detail ? ': ' + body.detail : '');
        }
      } catch (error) {
        traffic.failed++;
        traffic.lastProblem = error.message;
      }
      renderTraffic();
    }
    setTimeout(sendEcho, TRAFFIC_MS);
  }

  poll();
  sendEcho();
})();
