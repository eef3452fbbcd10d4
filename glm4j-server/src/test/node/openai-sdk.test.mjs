// Held-out client suite: the official OpenAI Node SDK against glm4j servers that NodeOpenAiSdkTest starts.
// GLM4J_URL serves the tiny model; GLM4J_REPLAY_URL replays a fixed GLM-4.5 token stream
// (reasoning, answer, one get_weather tool call) so tool calls and reasoning can be checked exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const model = process.env.GLM4J_MODEL;
const key = process.env.GLM4J_KEY;
const client = new OpenAI({ baseURL: process.env.GLM4J_URL + '/v1', apiKey: key, maxRetries: 0 });
const replay = new OpenAI({ baseURL: process.env.GLM4J_REPLAY_URL + '/v1', apiKey: 'unused', maxRetries: 0 });
const question = [{ role: 'user', content: 'What is free software?' }];
const tools = [{
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}];

test('lists the served model', async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => m.id), [model]);
});

test('answers a chat completion with usage', async () => {
  const r = await client.chat.completions.create({ model, messages: question, max_tokens: 6, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, model);
  assert.ok(['length', 'stop'].includes(r.choices[0].finish_reason));
  assert.ok(r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 6);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streams the same greedy answer', async () => {
  const params = { model, messages: question, max_tokens: 8, temperature: 0 };
  const whole = await client.chat.completions.create(params);
  const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  let content = '';
  let reasoning = '';
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const delta = chunk.choices[0]?.delta ?? {};
    content += delta.content ?? '';
    reasoning += delta.reasoning_content ?? '';
  }
  assert.equal(content, whole.choices[0].message.content);
  assert.equal(reasoning, whole.choices[0].message.reasoning_content ?? '');
  assert.equal(usage.completion_tokens, whole.usage.completion_tokens);
});

test('completes raw text', async () => {
  const r = await client.completions.create({ model, prompt: 'The licence', max_tokens: 4, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.equal(r.usage.completion_tokens, 4);
  assert.equal(r.choices[0].finish_reason, 'length');
});

test('returns reasoning and a tool call as OpenAI fields', async () => {
  const r = await replay.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  const message = r.choices[0].message;
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(message.reasoning_content, 'The user wants the weather in Paris.');
  assert.equal(message.content, 'Let me check.');
  assert.equal(message.tool_calls.length, 1);
  assert.equal(message.tool_calls[0].type, 'function');
  assert.equal(message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(message.tool_calls[0].function.arguments), { city: 'Paris', days: 3 });
});

test('streams a tool call that the SDK assembles', async () => {
  const runner = replay.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  const done = await runner.finalChatCompletion();
  const call = done.choices[0].message.tool_calls[0];
  assert.equal(done.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', days: 3 });
});

test('sends a tool result back in a second turn', async () => {
  const first = await replay.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  const call = first.choices[0].message.tool_calls[0];
  const second = await replay.chat.completions.create({
    model, tools,
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      first.choices[0].message,
      { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21}' },
    ],
  });
  assert.equal(second.choices[0].finish_reason, 'tool_calls');
});

test('reports errors as the SDK error classes', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: question }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(client.chat.completions.create({ model, messages: question, temperature: 5 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'temperature');
  await assert.rejects(client.chat.completions.create({ model, messages: [] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages');
  const wrongKey = new OpenAI({ baseURL: process.env.GLM4J_URL + '/v1', apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrongKey.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
});
