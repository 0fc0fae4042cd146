// Checks inferd's OpenAI-compatible REST gateway with the official `openai` npm package.
//
//   npm install
//   INFERD_REST_URL=http://127.0.0.1:8080/v1 [INFERD_API_KEY=...] node check.mjs
//
// INFERD_CHAT_MODEL / INFERD_EMBED_MODEL pick the models (default: the first model /v1/models
// lists, and all-minilm-l6-v2). Exits non-zero when any check fails.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.INFERD_REST_URL ?? 'http://127.0.0.1:8080/v1';
const apiKey = process.env.INFERD_API_KEY ?? 'none';
// No retries: a check should see the server's first answer, not hide a 429 or a 503.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

const messages = [{ role: 'user', content: 'Once upon a time' }];

async function main() {
  const models = (await client.models.list()).data.map((m) => m.id);
  assert.ok(models.length > 0, 'GET /models lists no model');
  const chatModel = process.env.INFERD_CHAT_MODEL ?? models[0];
  const embedModel = process.env.INFERD_EMBED_MODEL ?? 'all-minilm-l6-v2';
  console.log(`models: ${models.join(', ')}`);

  // Non-streaming, greedy.
  const whole = await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 24, temperature: 0,
  });
  const choice = whole.choices[0];
  assert.equal(whole.object, 'chat.completion');
  assert.equal(choice.message.role, 'assistant');
  assert.ok(choice.message.content.length > 0, 'empty completion');
  assert.ok(['stop', 'length'].includes(choice.finish_reason), `finish_reason ${choice.finish_reason}`);
  checkUsage(whole.usage);
  console.log(`chat: ${whole.usage.completion_tokens} tokens, finish=${choice.finish_reason}: ${JSON.stringify(choice.message.content)}`);

  // Streaming: the deltas put together are the same greedy answer.
  const stream = await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 24, temperature: 0, stream: true,
  });
  let text = '';
  let role;
  let finish;
  let usage;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    const c = chunk.choices[0];
    role ??= c?.delta?.role;
    text += c?.delta?.content ?? '';
    finish = c?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  assert.equal(role, 'assistant');
  assert.ok(['stop', 'length'].includes(finish), `stream finish_reason ${finish}`);
  checkUsage(usage);
  assert.equal(text, choice.message.content, 'streamed text differs from the non-streamed answer');
  console.log(`stream: ${chunks} chunks, ${usage.completion_tokens} tokens, finish=${finish}, same text as non-streaming`);

  // Embeddings: the SDK asks for base64 by default and decodes it; float must give the same vectors.
  const one = await client.embeddings.create({ model: embedModel, input: 'API design patterns' });
  assert.equal(one.data.length, 1);
  checkVector(one.data[0].embedding);
  const input = ['microservice architecture', 'API design patterns', 'serverless computing'];
  const many = await client.embeddings.create({ model: embedModel, input });
  assert.deepEqual(many.data.map((d) => d.index), [0, 1, 2]);
  many.data.forEach((d) => checkVector(d.embedding));
  assert.equal(many.usage.total_tokens, many.usage.prompt_tokens);
  const floats = await client.embeddings.create({ model: embedModel, input, encoding_format: 'float' });
  // JSON floats are float32 values in their shortest decimal form; base64 gives the float32 exactly.
  floats.data.forEach((d, i) => assert.deepEqual(d.embedding.map(Math.fround), many.data[i].embedding));
  const sameText = cosine(one.data[0].embedding, many.data[1].embedding);
  assert.ok(sameText > 0.999, `same text, different vectors: cosine ${sameText}`);
  console.log(`embeddings: ${many.data.length} x ${many.data[0].embedding.length} dims, ${many.usage.prompt_tokens} tokens, base64 = float`);

  // Errors come back as the SDK's typed errors.
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
  );
  await assert.rejects(
    client.chat.completions.create({ model: chatModel, messages, temperature: 5 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'temperature',
  );
  console.log('errors: 404 model_not_found and 400 naming the param, as SDK errors');

  await generationControls(chatModel, choice.message.content);
  console.log('openai-node check: OK');
}

// Stop sequences, n, logprobs, /v1/completions and JSON-schema output (issue 13).
async function generationControls(chatModel, greedyText) {
  // stop: a word from the middle of the greedy answer ends it there; the stop text is not returned.
  const word = greedyText.trim().split(/\s+/)[1];
  const stopped = await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 24, temperature: 0, stop: ['zzzz', word],
  });
  assert.equal(stopped.choices[0].finish_reason, 'stop');
  assert.equal(stopped.choices[0].message.content, greedyText.slice(0, greedyText.indexOf(word)));
  let streamedStop = '';
  for await (const chunk of await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 24, temperature: 0, stop: word, stream: true,
  })) {
    streamedStop += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(streamedStop, stopped.choices[0].message.content);
  console.log(`stop: ${JSON.stringify(word)} ends the answer (whole and streamed), finish=stop`);

  // n: three choices, usage counts them all.
  const three = await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 8, temperature: 1, seed: 3, n: 3,
  });
  assert.deepEqual(three.choices.map((c) => c.index), [0, 1, 2]);
  assert.ok(three.usage.completion_tokens >= 3, JSON.stringify(three.usage));
  console.log(`n=3: ${three.choices.length} choices, ${three.usage.completion_tokens} completion tokens`);

  // logprobs: at most 0, with the asked number of alternatives.
  const lp = await client.chat.completions.create({
    model: chatModel, messages, max_tokens: 6, temperature: 0, logprobs: true, top_logprobs: 2,
  });
  const content = lp.choices[0].logprobs.content;
  assert.equal(content.length, lp.usage.completion_tokens);
  for (const t of content) {
    assert.ok(t.logprob <= 0, `logprob ${t.logprob}`);
    assert.equal(t.top_logprobs.length, 2);
  }
  console.log(`logprobs: ${content.length} tokens, each <= 0 with 2 alternatives`);

  // /v1/completions: a raw prompt, whole and streamed give the same greedy text.
  const text = await client.completions.create({
    model: chatModel, prompt: 'And God said', max_tokens: 8, temperature: 0,
  });
  assert.equal(text.object, 'text_completion');
  assert.ok(text.choices[0].text.length > 0);
  let streamedText = '';
  for await (const chunk of await client.completions.create({
    model: chatModel, prompt: 'And God said', max_tokens: 8, temperature: 0, stream: true,
  })) {
    streamedText += chunk.choices[0]?.text ?? '';
  }
  assert.equal(streamedText, text.choices[0].text);
  console.log(`completions: ${JSON.stringify(text.choices[0].text)} (whole = streamed)`);

  // json_schema with strict: the answer parses and has the required fields with the right types.
  const schema = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 150 } },
    required: ['name', 'age'],
    additionalProperties: false,
  };
  const structured = await client.chat.completions.create({
    // Room for the whole object: the grammar allows a line break and indent between tokens.
    model: chatModel, messages, max_tokens: 200, temperature: 0,
    response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema } },
  });
  const person = JSON.parse(structured.choices[0].message.content);
  assert.deepEqual(Object.keys(person).sort(), ['age', 'name']);
  assert.equal(typeof person.name, 'string');
  assert.ok(Number.isInteger(person.age) && person.age >= 0 && person.age <= 150, JSON.stringify(person));
  console.log(`json_schema: ${JSON.stringify(person)}`);

  // A parameter inferd does not know is a 400 naming it, not silently ignored.
  await assert.rejects(
    client.chat.completions.create({ model: chatModel, messages, max_tokens: 2, logit_bias: { 5: 10 } }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'logit_bias',
  );
  console.log('unsupported parameter: 400 naming it');
}

function checkUsage(usage) {
  assert.ok(usage, 'no usage');
  assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0, JSON.stringify(usage));
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

function checkVector(vector) {
  assert.equal(vector.length, 384);
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
}

function cosine(a, b) {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

try {
  await main();
} catch (e) {
  console.error(`openai-node check: FAILED: ${e.stack ?? e}`);
  process.exitCode = 1;
}
