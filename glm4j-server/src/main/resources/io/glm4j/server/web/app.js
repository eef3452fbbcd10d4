// glm4j web chat: conversations in localStorage, answers streamed from /v1/chat/completions.
'use strict';

const $ = (id) => document.getElementById(id);
const STORE = { chats: 'glm4j.chats', current: 'glm4j.current', settings: 'glm4j.settings' };
const SETTINGS = ['thinking', 'system', 'temperature', 'top_p', 'top_k', 'min_p', 'max_tokens', 'seed', 'api-key'];

let chats = load(STORE.chats, []);
let current = load(STORE.current, null);
let modelId = null;
let running = null; // the AbortController of the answer being streamed

function load(key, fallback) {
  try { const v = localStorage.getItem(key); return v === null ? fallback : JSON.parse(v); } catch { return fallback; }
}
function save() {
  localStorage.setItem(STORE.chats, JSON.stringify(chats));
  localStorage.setItem(STORE.current, JSON.stringify(current));
}
function chat() { return chats.find((c) => c.id === current); }

// ---- settings ---------------------------------------------------------------------------------
function restoreSettings() {
  const s = load(STORE.settings, {});
  for (const id of SETTINGS) {
    if (!(id in s)) continue;
    if ($(id).type === 'checkbox') $(id).checked = s[id]; else $(id).value = s[id];
  }
}
function storeSettings() {
  const s = {};
  for (const id of SETTINGS) s[id] = $(id).type === 'checkbox' ? $(id).checked : $(id).value;
  localStorage.setItem(STORE.settings, JSON.stringify(s));
}
function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}
function number(id) {
  const v = $(id).value.trim();
  return v === '' ? undefined : Number(v);
}

// ---- conversations ----------------------------------------------------------------------------
function newChat() {
  const c = { id: String(Date.now()) + Math.random().toString(36).slice(2, 6), title: 'New chat', messages: [] };
  chats.unshift(c);
  current = c.id;
  save();
  render();
}
function deleteChat(id) {
  chats = chats.filter((c) => c.id !== id);
  if (current === id) current = chats.length ? chats[0].id : null;
  save();
  render();
}
function renderList() {
  const list = $('conversations');
  list.replaceChildren();
  for (const c of chats) {
    const li = document.createElement('li');
    if (c.id === current) li.className = 'active';
    const a = document.createElement('a');
    a.textContent = c.title;
    a.onclick = () => { if (!running) { current = c.id; save(); render(); } };
    const del = document.createElement('button');
    del.type = 'button';
    del.title = 'Delete';
    del.textContent = '×';
    del.onclick = () => { if (!running) deleteChat(c.id); };
    li.append(a, del);
    list.append(li);
  }
}

// ---- messages ---------------------------------------------------------------------------------
function messageView(m) {
  const el = document.createElement('div');
  el.className = 'message ' + m.role;
  const role = document.createElement('div');
  role.className = 'role';
  role.textContent = m.role === 'user' ? 'You' : 'Assistant';
  el.append(role);
  const view = { el, reasoning: null, reasoningText: null, content: document.createElement('div'), tools: [] };
  view.content.className = 'content';
  el.append(view.content);
  fill(view, m);
  return view;
}
function fill(view, m) {
  if (m.reasoning) {
    if (!view.reasoning) {
      view.reasoning = document.createElement('details');
      view.reasoning.className = 'reasoning';
      const summary = document.createElement('summary');
      summary.textContent = 'Reasoning';
      view.reasoningText = document.createElement('div');
      view.reasoningText.className = 'text';
      view.reasoning.append(summary, view.reasoningText);
      view.el.insertBefore(view.reasoning, view.content);
    }
    view.reasoningText.textContent = m.reasoning;
  }
  view.content.textContent = m.content || '';
  for (let i = view.tools.length; i < (m.tool_calls || []).length; i++) {
    const call = m.tool_calls[i];
    const box = document.createElement('div');
    box.className = 'tool-call';
    const title = document.createElement('div');
    title.textContent = 'Tool call: ' + call.function.name;
    const args = document.createElement('pre');
    args.textContent = pretty(call.function.arguments);
    box.append(title, args);
    view.el.append(box);
    view.tools.push(box);
  }
}
function pretty(json) {
  try { return JSON.stringify(JSON.parse(json), null, 2); } catch { return json; }
}
function renderMessages() {
  const box = $('messages');
  box.replaceChildren();
  const c = chat();
  if (!c) return;
  for (const m of c.messages) {
    const view = messageView(m);
    if (m.error) view.el.classList.add('error');
    view.el.dataset.state = 'done';
    box.append(view.el);
  }
  box.scrollTop = box.scrollHeight;
}
function render() {
  renderList();
  renderMessages();
}

// ---- sending and streaming --------------------------------------------------------------------
function requestBody(c) {
  const messages = [];
  const system = $('system').value.trim();
  if (system) messages.push({ role: 'system', content: system });
  for (const m of c.messages) {
    if (m.error) continue;
    const out = { role: m.role, content: m.content || '' };
    if (m.reasoning) out.reasoning_content = m.reasoning;
    if (m.tool_calls && m.tool_calls.length) out.tool_calls = m.tool_calls;
    messages.push(out);
  }
  const body = {
    messages, stream: true, stream_options: { include_usage: true },
    chat_template_kwargs: { enable_thinking: $('thinking').checked },
    temperature: number('temperature'), top_p: number('top_p'), top_k: number('top_k'), min_p: number('min_p'),
    max_tokens: number('max_tokens'), seed: number('seed'),
  };
  if (modelId) body.model = modelId;
  return body;
}

async function send(text) {
  if (running || !text.trim()) return;
  if (!chat()) newChat();
  const c = chat();
  c.messages.push({ role: 'user', content: text });
  if (c.title === 'New chat') c.title = text.slice(0, 40);
  save();
  render();
  const reply = { role: 'assistant', content: '', reasoning: '', tool_calls: [] };
  const view = messageView(reply);
  view.el.dataset.state = 'streaming';
  $('messages').append(view.el);
  running = new AbortController();
  setBusy(true);
  const started = performance.now();
  let usage = null;
  try {
    const res = await fetch('/v1/chat/completions', {
      method: 'POST', headers: headers(), body: JSON.stringify(requestBody(c)), signal: running.signal,
    });
    if (!res.ok) throw new Error(await errorMessage(res));
    await readEvents(res, (event) => {
      if (event.error) throw new Error(event.error.message);
      if (event.usage) usage = event.usage;
      const delta = event.choices && event.choices[0] && event.choices[0].delta;
      if (!delta) return;
      if (delta.reasoning_content) reply.reasoning += delta.reasoning_content;
      if (delta.content) reply.content += delta.content;
      for (const call of delta.tool_calls || []) reply.tool_calls[call.index] = call;
      fill(view, reply);
      $('messages').scrollTop = $('messages').scrollHeight;
    });
    view.el.dataset.state = 'done';
  } catch (e) {
    if (e.name === 'AbortError') {
      view.el.dataset.state = 'done';
    } else {
      reply.error = true;
      reply.content = (reply.content ? reply.content + '\n' : '') + 'Error: ' + e.message;
      view.el.classList.add('error');
      view.el.dataset.state = 'error';
      fill(view, reply);
    }
  } finally {
    running = null;
    setBusy(false);
  }
  if (!reply.tool_calls.length) delete reply.tool_calls;
  if (!reply.reasoning) delete reply.reasoning;
  c.messages.push(reply);
  save();
  if (usage) {
    const seconds = (performance.now() - started) / 1000;
    $('status').textContent = `${usage.prompt_tokens} prompt + ${usage.completion_tokens} generated tokens`
      + ` (${(usage.completion_tokens / seconds).toFixed(1)} tokens/s)`;
  }
}

async function errorMessage(res) {
  try { const body = await res.json(); return body.error.message; } catch { return 'HTTP ' + res.status; }
}

/** Calls onEvent with each JSON event of a server-sent-events body, until [DONE]. */
async function readEvents(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (!data) continue;
      if (data === '[DONE]') return;
      onEvent(JSON.parse(data));
    }
  }
}

function setBusy(busy) {
  $('send').hidden = busy;
  $('stop').hidden = !busy;
  $('status').textContent = busy ? 'generating…' : $('status').textContent;
}

// ---- model and memory calculator --------------------------------------------------------------
async function loadModel() {
  try {
    const res = await fetch('/v1/models', { headers: headers() });
    if (!res.ok) throw new Error(await errorMessage(res));
    const m = (await res.json()).data[0];
    modelId = m.id;
    $('model').textContent = m.id;
    $('model').title = `${m.id}, ${m.max_model_len} tokens of context per request`;
    $('mem-ctx').value = m.max_model_len;
    updateMemory();
  } catch (e) {
    $('model').textContent = 'offline';
    $('status').textContent = e.message;
  }
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)) + ' ' + units[i];
}

async function updateMemory() {
  const q = new URLSearchParams({ ctx: $('mem-ctx').value, parallel: $('mem-parallel').value, kv: $('mem-kv').value });
  const body = $('memory').tBodies[0];
  try {
    const res = await fetch('/v1/glm4j/memory?' + q, { headers: headers() });
    if (!res.ok) throw new Error(await errorMessage(res));
    const m = await res.json();
    const rows = [['Weights', m.weights_bytes], ['KV cache', m.kv_bytes], ['Compute', m.compute_bytes], ['Total', m.total_bytes]];
    body.replaceChildren(...rows.map(([name, value]) => {
      const tr = document.createElement('tr');
      if (name === 'Total') tr.className = 'total';
      const a = document.createElement('td');
      a.textContent = name;
      const b = document.createElement('td');
      b.textContent = bytes(value);
      b.title = value.toLocaleString() + ' bytes';
      tr.append(a, b);
      return tr;
    }));
  } catch (e) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.textContent = e.message;
    tr.append(td);
    body.replaceChildren(tr);
  }
}

// ---- wiring -----------------------------------------------------------------------------------
restoreSettings();
for (const id of SETTINGS) $(id).addEventListener('change', storeSettings);
$('api-key').addEventListener('change', loadModel);
for (const id of ['mem-ctx', 'mem-parallel', 'mem-kv']) $(id).addEventListener('change', updateMemory);
$('new-chat').onclick = () => { if (!running) newChat(); };
$('stop').onclick = () => running && running.abort();
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('prompt').value;
  $('prompt').value = '';
  send(text);
});
$('prompt').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
});
if (!chat() && chats.length) current = chats[0].id;
render();
loadModel();
