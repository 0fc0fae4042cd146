// inferd from TypeScript: unary Complete, server-streaming StreamComplete and client-streaming BatchEmbed
// through @grpc/grpc-js with the ts-proto stubs that `buf generate` writes to ./gen. Each answer is checked
// (non-empty text, finish reason, usage totals, 384-dimensional unit vectors); the first failed check exits 1.
//
//   npx tsx client.ts --target 127.0.0.1:50051 [--api-key KEY] [--model NAME]
import { parseArgs } from "node:util";
import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import {
  BatchEmbedResponse,
  CompleteRequest,
  CompleteResponse,
  EmbedRequest,
  InferenceServiceClient,
  StreamChunk,
  type Usage,
} from "./gen/ai/inference/v1/ai_service.js";

const EMBEDDING_DIMENSIONS = 384; // all-minilm-l6-v2, the server's embedding model

const { values: opts } = parseArgs({
  options: {
    target: { type: "string", default: process.env.INFERD_TARGET || "127.0.0.1:50051" },
    "api-key": { type: "string", default: process.env.INFERD_API_KEY ?? "" },
    model: { type: "string", default: "" }, // "" = the server's default model
    "embed-model": { type: "string", default: "" },
    prompt: { type: "string", default: "Once upon a time" },
    "max-tokens": { type: "string", default: "64" },
    seed: { type: "string", default: "7" }, // same seed + same prompt => same text
    tls: { type: "boolean", default: false },
  },
});

class CheckFailed extends Error {}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new CheckFailed(what);
}

function checkUsage(usage: Usage | undefined, what: string): asserts usage is Usage {
  check(usage !== undefined, `${what}: no usage`);
  const { promptTokens, completionTokens, totalTokens } = usage;
  check(promptTokens + completionTokens === totalTokens, `${what}: usage ${promptTokens} + ${completionTokens} != total ${totalTokens}`);
  check(promptTokens > 0, `${what}: usage.promptTokens is ${promptTokens}`);
}

function checkFinish(reason: string | undefined, usage: Usage, maxTokens: number, what: string): void {
  check(reason === "stop" || reason === "length", `${what}: finish_reason ${JSON.stringify(reason)}, expected stop or length`);
  check(usage.completionTokens > 0, `${what}: usage.completionTokens is 0`);
  if (reason === "length" && maxTokens > 0) {
    check(usage.completionTokens === maxTokens, `${what}: finish_reason length after ${usage.completionTokens} tokens, max_tokens ${maxTokens}`);
  }
}

function deadline(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

async function complete(client: InferenceServiceClient, metadata: Metadata, request: CompleteRequest): Promise<string> {
  const response = await new Promise<CompleteResponse>((resolve, reject) =>
    client.complete(request, metadata, { deadline: deadline(30) }, (err: ServiceError | null, res: CompleteResponse) =>
      err ? reject(err) : resolve(res),
    ),
  );
  check(response.choices.length === 1, `Complete: ${response.choices.length} choices, expected 1`);
  const choice = response.choices[0];
  const text = choice.message?.content ?? "";
  console.log(`Model: ${response.model}\nResponse: ${text}\nTokens: ${response.usage?.totalTokens}`);
  check(response.model !== "", "Complete: empty model name");
  check(choice.message?.role === "assistant", `Complete: role ${JSON.stringify(choice.message?.role)}, expected assistant`);
  check(text.trim() !== "", "Complete: empty text");
  check(response.createdAt !== undefined, "Complete: no created_at");
  checkUsage(response.usage, "Complete");
  checkFinish(choice.finishReason, response.usage, request.maxTokens, "Complete");
  return text;
}

async function streamComplete(client: InferenceServiceClient, metadata: Metadata, request: CompleteRequest): Promise<string> {
  const call = client.streamComplete(request, metadata, { deadline: deadline(60) });
  let text = "";
  let chunks = 0;
  let usageChunks = 0;
  let firstRole: string | undefined;
  let finish: string | undefined;
  let usage: Usage | undefined;
  for await (const chunk of call as AsyncIterable<StreamChunk>) {
    chunks++;
    for (const choice of chunk.choices) {
      if (chunks === 1) firstRole = choice.delta?.role;
      if (choice.delta?.content) {
        text += choice.delta.content;
        process.stdout.write(choice.delta.content);
      }
      if (choice.finishReason !== undefined) {
        finish = choice.finishReason;
        console.log(`\nDone: ${finish}`);
      }
    }
    if (chunk.usage !== undefined) { // only the last chunk carries usage
      const last: Usage = chunk.usage;
      usage = last;
      usageChunks++;
      console.log(`Total tokens: ${last.totalTokens}`);
    }
  }
  check(chunks > 1, `StreamComplete: ${chunks} chunks`);
  check(firstRole === "assistant", `StreamComplete: first chunk's role ${JSON.stringify(firstRole)}, expected assistant`);
  check(text.trim() !== "", "StreamComplete: empty text");
  check(usageChunks === 1, `StreamComplete: usage in ${usageChunks} chunks, expected only the last`);
  const finalUsage = usage;
  checkUsage(finalUsage, "StreamComplete");
  checkFinish(finish, finalUsage, request.maxTokens, "StreamComplete");
  return text;
}

async function batchEmbed(client: InferenceServiceClient, metadata: Metadata, model: string, texts: string[]): Promise<void> {
  const response = await new Promise<BatchEmbedResponse>((resolve, reject) => {
    const call = client.batchEmbed(metadata, { deadline: deadline(30) }, (err: ServiceError | null, res: BatchEmbedResponse) =>
      err ? reject(err) : resolve(res),
    );
    for (const text of texts) call.write(EmbedRequest.fromPartial({ model, text }));
    call.end();
  });
  for (const e of response.embeddings) {
    console.log(`Index ${e.index}: dim=${e.vector.length}, first_3=${JSON.stringify(e.vector.slice(0, 3))}`);
  }
  console.log(`Total tokens: ${response.usage?.totalTokens}`);
  check(response.embeddings.length === texts.length, `BatchEmbed: ${response.embeddings.length} embeddings for ${texts.length} texts`);
  response.embeddings.forEach((e, i) => {
    check(e.index === i, `BatchEmbed: embedding ${i} has index ${e.index}`);
    check(e.vector.length === EMBEDDING_DIMENSIONS, `BatchEmbed: embedding ${i} has ${e.vector.length} dimensions, expected ${EMBEDDING_DIMENSIONS}`);
    const norm = Math.sqrt(e.vector.reduce((sum, x) => sum + x * x, 0));
    check(Math.abs(norm - 1) < 1e-3, `BatchEmbed: embedding ${i} has norm ${norm.toFixed(4)}, expected 1`);
  });
  checkUsage(response.usage, "BatchEmbed");
}

async function main(): Promise<number> {
  const client = new InferenceServiceClient(
    opts.target,
    opts.tls ? credentials.createSsl() : credentials.createInsecure(),
  );
  const metadata = new Metadata();
  if (opts["api-key"]) metadata.set("x-api-key", opts["api-key"]); // sent on every call
  const request = CompleteRequest.fromPartial({
    model: opts.model,
    messages: [{ role: "user", content: opts.prompt }],
    temperature: 0.7,
    maxTokens: Number(opts["max-tokens"]),
    seed: Number(opts.seed),
  });
  try {
    console.log("== Complete (unary)");
    const completed = await complete(client, metadata, request);
    console.log("== StreamComplete (server streaming)");
    const streamed = await streamComplete(client, metadata, request);
    check(streamed === completed, "StreamComplete: text differs from Complete's for the same prompt and seed");
    console.log("== BatchEmbed (client streaming)");
    await batchEmbed(client, metadata, opts["embed-model"], [
      "API 설계 패턴", "마이크로서비스 아키텍처", "서버리스 컴퓨팅", "이벤트 주도 설계", "API design patterns",
    ]);
    console.log("node client: all checks passed");
    return 0;
  } catch (e) {
    const err = e as Partial<ServiceError> & Error;
    const why = e instanceof CheckFailed ? e.message : `${status[err.code ?? status.UNKNOWN]}: ${err.details ?? err.message}`;
    console.error(`node client: FAILED: ${why}`);
    return 1;
  } finally {
    client.close();
  }
}

process.exitCode = await main();
