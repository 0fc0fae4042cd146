"""inferd from Python: the four call patterns of the ai.inference.v1 API over grpc.aio.

The functions below are the document's client snippets (shared/spec/seed-grpc-ai-inference.txt): unary
``Complete`` with a deadline and ``x-api-key`` metadata, server-streaming ``StreamComplete`` printing deltas
and the final usage, client-streaming ``BatchEmbed``, and bidirectional ``Chat`` fed from the keyboard, plus
its ``LoggingInterceptor`` and ``RetryInterceptor``, which are attached to the channel. What differs from
the document and why:

- the model is ``""`` (the server's default) unless ``--model`` names one, and the key is only sent when
  one is given (``--api-key`` / ``INFERD_API_KEY``), on every call, since the server checks every call;
- ``max_tokens`` comes from ``--max-tokens`` (64): the document's 1024 and 2048 do not fit a small
  model's context (the server rejects 2048 + prompt > 2048 with INVALID_ARGUMENT);
- the interceptors await the call inside ``try``: in grpc.aio ``continuation`` returns the call object
  at once, so the response, its latency and its error only exist after ``await call``;
- ``--ci`` runs all four without a terminal (chat reads scripted turns instead of stdin) and checks what
  comes back, exiting 1 on the first failed check.

Generate the stubs first (``buf generate`` at the repo root writes ``examples/python/gen``), then::

    python examples/python/inferd_client.py --target 127.0.0.1:50051            # all four, chat last
    python examples/python/inferd_client.py stream --prompt "Once upon a time"
    python examples/python/inferd_client.py --ci                                 # what CI runs
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import pathlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "gen"))

from ai.inference.v1 import ai_service_pb2 as pb  # noqa: E402  (generated; needs gen/ on the path)
from ai.inference.v1 import ai_service_pb2_grpc as service  # noqa: E402

logger = logging.getLogger("inferd_client")

FINISH_REASONS = {"stop", "length"}
EMBEDDING_DIMENSIONS = 384  # all-minilm-l6-v2, the server's embedding model


class CheckFailed(Exception):
    """A --ci check on the content of an answer failed."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)


# --- interceptors (the document's, for grpc.aio) -------------------------------------------------------


class LoggingInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Request/response logging interceptor."""

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        method = _method_name(client_call_details)
        start_time = time.monotonic()
        logger.info(f"gRPC request: {method}")
        try:
            call = await continuation(client_call_details, request)
            response = await call
            elapsed = (time.monotonic() - start_time) * 1000
            logger.info(f"gRPC response: {method} ({elapsed:.1f}ms)")
            return response
        except grpc.aio.AioRpcError as e:
            elapsed = (time.monotonic() - start_time) * 1000
            logger.error(
                f"gRPC error: {method} ({elapsed:.1f}ms) code={e.code()} message={e.details()}"
            )
            raise


class RetryInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Retry interceptor: retries unary calls that failed with a transient code, with exponential backoff.

    Each attempt gets the call's full timeout again, as in the document; only unary calls are retried
    (a stream cannot be replayed once messages went out).
    """

    RETRYABLE_CODES = {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }

    def __init__(self, max_retries: int = 3, base_delay: float = 0.1):
        self.max_retries = max_retries
        self.base_delay = base_delay

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        last_error = None
        for attempt in range(self.max_retries + 1):
            try:
                call = await continuation(client_call_details, request)
                return await call
            except grpc.aio.AioRpcError as e:
                last_error = e
                if e.code() not in self.RETRYABLE_CODES or attempt == self.max_retries:
                    raise
                delay = self.base_delay * (2**attempt)
                logger.warning(
                    f"retry {attempt + 1}/{self.max_retries}: code={e.code()}, delay={delay:.1f}s"
                )
                await asyncio.sleep(delay)
        raise last_error


def _method_name(client_call_details) -> str:
    method = client_call_details.method
    return method.decode() if isinstance(method, bytes) else method


# --- the four call patterns ---------------------------------------------------------------------------


class Settings:
    """What every call needs: model, metadata (the API key), max_tokens and, in --ci, a fixed seed."""

    def __init__(self, args: argparse.Namespace):
        self.model: str = args.model
        self.embed_model: str = args.embed_model
        self.max_tokens: int = args.max_tokens
        self.seed: int | None = args.seed
        self.prompt: str | None = args.prompt
        self.metadata: tuple[tuple[str, str], ...] = (
            (("x-api-key", args.api_key),) if args.api_key else ()
        )


async def unary_complete(stub: service.InferenceServiceStub, s: Settings) -> pb.CompleteResponse:
    request = pb.CompleteRequest(
        model=s.model,
        messages=[
            pb.Message(role="user", content=s.prompt or "What are the key principles of API design?"),
        ],
        temperature=0.7,
        max_tokens=s.max_tokens,
        seed=s.seed,
    )
    response = await stub.Complete(
        request,
        timeout=30.0,  # 30-second deadline
        metadata=s.metadata,
    )
    print(f"Model: {response.model}")
    print(f"Response: {response.choices[0].message.content}")
    print(f"Tokens: {response.usage.total_tokens}")
    return response


@dataclass
class Streamed:
    """What a StreamComplete call delivered, for the --ci checks."""

    text: str = ""
    chunks: int = 0
    first_role: str | None = None
    finish_reason: str | None = None
    usage: pb.Usage | None = None
    usage_chunks: int = 0


async def stream_complete(stub: service.InferenceServiceStub, s: Settings) -> Streamed:
    request = pb.CompleteRequest(
        model=s.model,
        messages=[
            pb.Message(role="user", content=s.prompt or "Explain the advantages of gRPC"),
        ],
        temperature=0.7,
        max_tokens=s.max_tokens,
        seed=s.seed,
    )
    full_response = []
    seen = Streamed()
    async for chunk in stub.StreamComplete(request, timeout=60.0, metadata=s.metadata):
        seen.chunks += 1
        for choice in chunk.choices:
            if seen.chunks == 1 and choice.delta.HasField("role"):
                seen.first_role = choice.delta.role
            if choice.delta.content:
                full_response.append(choice.delta.content)
                print(choice.delta.content, end="", flush=True)
            if choice.finish_reason:
                seen.finish_reason = choice.finish_reason
                print(f"\nDone: {choice.finish_reason}")
        # the last chunk carries the usage
        if chunk.HasField("usage"):
            seen.usage = chunk.usage
            seen.usage_chunks += 1
            print(f"Total tokens: {chunk.usage.total_tokens}")
    seen.text = "".join(full_response)
    return seen


async def batch_embed(
    stub: service.InferenceServiceStub, s: Settings, texts: Sequence[str]
) -> pb.BatchEmbedResponse:
    async def generate_requests():
        for text in texts:
            yield pb.EmbedRequest(
                model=s.embed_model,
                text=text,
            )

    response = await stub.BatchEmbed(generate_requests(), timeout=30.0, metadata=s.metadata)
    for embedding in response.embeddings:
        print(
            f"Index {embedding.index}: "
            f"dim={len(embedding.vector)}, "
            f"first_3={list(embedding.vector[:3])}"
        )
    print(f"Total tokens: {response.usage.total_tokens}")
    return response


async def interactive_chat(
    stub: service.InferenceServiceStub,
    s: Settings,
    read_line: Callable[[], Awaitable[str]],
    timeout: float | None = None,
) -> list[pb.ChatMessage]:
    """Bidirectional chat: lines from ``read_line`` go out as user turns while replies print as they come.

    ``read_line`` is ``input("User: ")`` in a thread, as in the document, or scripted turns in --ci;
    "quit" (or end of input) half-closes the stream, which ends once every turn is answered.
    """
    request_queue: asyncio.Queue[pb.ChatMessage | None] = asyncio.Queue()

    async def send_messages():
        while True:
            try:
                user_input = await read_line()
            except EOFError:
                break
            if user_input.lower() == "quit":
                break
            message = pb.ChatMessage(
                role="user",
                content=user_input,
            )
            await request_queue.put(message)
        await request_queue.put(None)  # end-of-input signal

    async def request_iterator() -> AsyncIterator[pb.ChatMessage]:
        while True:
            message = await request_queue.get()
            if message is None:
                break
            yield message

    # start the bidirectional stream
    replies = []
    send_task = asyncio.create_task(send_messages())
    try:
        async for response in stub.Chat(request_iterator(), timeout=timeout, metadata=s.metadata):
            print(f"Assistant: {response.content}")
            replies.append(response)
    finally:
        if not send_task.done():
            send_task.cancel()
    await asyncio.gather(send_task, return_exceptions=True)
    return replies


# --- --ci: the same calls, with checks on what comes back ---------------------------------------------

CI_PROMPT = "Once upon a time"
CI_EMBED_TEXTS = [  # the document's texts, and the same in English
    "API 설계 패턴",
    "마이크로서비스 아키텍처",
    "서버리스 컴퓨팅",
    "이벤트 주도 설계",
    "API design patterns",
]
CI_CHAT_TURNS = ["Tell me a story about a cat.", "What did the cat do next?", "quit"]


def check_usage(usage: pb.Usage | None, what: str) -> None:
    check(usage is not None, f"{what}: no usage")
    check(
        usage.prompt_tokens + usage.completion_tokens == usage.total_tokens,
        f"{what}: usage {usage.prompt_tokens} + {usage.completion_tokens} != total {usage.total_tokens}",
    )
    check(usage.prompt_tokens > 0, f"{what}: usage.prompt_tokens is {usage.prompt_tokens}")


def check_finish(reason: str | None, completion_tokens: int, max_tokens: int, what: str) -> None:
    check(reason in FINISH_REASONS, f"{what}: finish_reason {reason!r} not in {sorted(FINISH_REASONS)}")
    if reason == "length" and max_tokens > 0:
        check(
            completion_tokens == max_tokens,
            f"{what}: finish_reason 'length' after {completion_tokens} tokens, max_tokens {max_tokens}",
        )


async def run_ci(stub: service.InferenceServiceStub, s: Settings) -> None:
    if s.prompt is None:
        s.prompt = CI_PROMPT
    if s.seed is None:
        s.seed = 7  # same seed + same prompt => same text: the checks see the same answer every run

    print("== Complete (unary)")
    answer = await unary_complete(stub, s)
    check(answer.model != "", "Complete: empty model name")
    check(answer.id != "", "Complete: empty id")
    check(len(answer.choices) == 1, f"Complete: {len(answer.choices)} choices, expected 1")
    choice = answer.choices[0]
    check(choice.message.role == "assistant", f"Complete: role {choice.message.role!r}")
    check(choice.message.content.strip() != "", "Complete: empty text")
    check(answer.HasField("usage"), "Complete: no usage")
    check_usage(answer.usage, "Complete")
    check(answer.usage.completion_tokens > 0, "Complete: usage.completion_tokens is 0")
    check_finish(choice.finish_reason, answer.usage.completion_tokens, s.max_tokens, "Complete")
    check(answer.HasField("created_at") and answer.created_at.seconds > 0, "Complete: no created_at")

    print("== StreamComplete (server streaming)")
    streamed = await stream_complete(stub, s)
    check(streamed.chunks > 1, f"StreamComplete: {streamed.chunks} chunks")
    check(streamed.first_role == "assistant", f"StreamComplete: first role {streamed.first_role!r}")
    check(streamed.text.strip() != "", "StreamComplete: empty text")
    check(streamed.usage_chunks == 1, f"StreamComplete: usage in {streamed.usage_chunks} chunks")
    check_usage(streamed.usage, "StreamComplete")
    check_finish(streamed.finish_reason, streamed.usage.completion_tokens, s.max_tokens, "StreamComplete")
    check(
        streamed.text == answer.choices[0].message.content,
        "StreamComplete: text differs from Complete's for the same prompt and seed",
    )

    print("== BatchEmbed (client streaming)")
    embedded = await batch_embed(stub, s, CI_EMBED_TEXTS)
    check(
        len(embedded.embeddings) == len(CI_EMBED_TEXTS),
        f"BatchEmbed: {len(embedded.embeddings)} embeddings for {len(CI_EMBED_TEXTS)} texts",
    )
    for i, embedding in enumerate(embedded.embeddings):
        check(embedding.index == i, f"BatchEmbed: embedding {i} has index {embedding.index}")
        check(
            len(embedding.vector) == EMBEDDING_DIMENSIONS,
            f"BatchEmbed: embedding {i} has {len(embedding.vector)} dimensions, expected 384",
        )
        norm = math.sqrt(sum(x * x for x in embedding.vector))
        check(abs(norm - 1.0) < 1e-3, f"BatchEmbed: embedding {i} has norm {norm:.4f}, expected 1")
    check_usage(embedded.usage, "BatchEmbed")

    print("== Chat (bidirectional streaming)")
    turns = iter(CI_CHAT_TURNS)

    async def scripted_line() -> str:
        line = next(turns)
        print(f"User: {line}")
        return line

    replies = await interactive_chat(stub, s, scripted_line, timeout=120.0)
    user_turns = len([t for t in CI_CHAT_TURNS if t != "quit"])
    check(len(replies) == user_turns, f"Chat: {len(replies)} replies to {user_turns} turns")
    for i, reply in enumerate(replies):
        check(reply.role == "assistant", f"Chat: reply {i} has role {reply.role!r}")
        check(reply.content.strip() != "", f"Chat: reply {i} is empty")
        check(reply.HasField("timestamp"), f"Chat: reply {i} has no timestamp")


# --- command line -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "call",
        nargs="?",
        default="all",
        choices=["all", "complete", "stream", "embed", "chat"],
        help="which call to make (default: all four, chat last)",
    )
    p.add_argument("--target", default=os.environ.get("INFERD_TARGET", "127.0.0.1:50051"),
                   help="HOST:PORT of the server (env INFERD_TARGET; default 127.0.0.1:50051)")
    p.add_argument("--api-key", default=os.environ.get("INFERD_API_KEY", ""),
                   help="sent as x-api-key metadata (env INFERD_API_KEY); none when empty")
    p.add_argument("--tls", action="store_true", help="use TLS with the system's root certificates")
    p.add_argument("--model", default="", help='generation model (default "": the server\'s default)')
    p.add_argument("--embed-model", default="", help='embedding model (default "": the server\'s)')
    p.add_argument("--max-tokens", type=int, default=64, help="max_tokens for complete/stream (64)")
    p.add_argument("--seed", type=int, default=None, help="sampling seed (--ci uses 7)")
    p.add_argument("--prompt", default=None, help="user message for complete/stream")
    p.add_argument("--ci", action="store_true",
                   help="non-interactive: all four calls with scripted chat turns; exit 1 if a check fails")
    p.add_argument("-q", "--quiet", action="store_true", help="no interceptor log lines")
    return p.parse_args(argv)


async def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s - %(message)s",
        stream=sys.stderr,
    )
    settings = Settings(args)
    interceptors = [LoggingInterceptor(), RetryInterceptor()]  # first = outermost: one log line per call
    channel = (
        grpc.aio.secure_channel(args.target, grpc.ssl_channel_credentials(), interceptors=interceptors)
        if args.tls
        else grpc.aio.insecure_channel(args.target, interceptors=interceptors)
    )
    async with channel:
        stub = service.InferenceServiceStub(channel)
        try:
            if args.ci:
                await run_ci(stub, settings)
                print("python client: all checks passed")
                return 0
            if args.call in ("all", "complete"):
                await unary_complete(stub, settings)
            if args.call in ("all", "stream"):
                await stream_complete(stub, settings)
            if args.call in ("all", "embed"):
                await batch_embed(
                    stub, settings, ["API design patterns", "microservice architecture",
                                     "serverless computing", "event-driven design"]
                )
            if args.call in ("all", "chat"):
                print("Chat: type a message, 'quit' to end.")
                await interactive_chat(stub, settings, lambda: asyncio.to_thread(input, "User: "))
            return 0
        except CheckFailed as e:
            print(f"python client: CHECK FAILED: {e}", file=sys.stderr)
            return 1
        except grpc.aio.AioRpcError as e:
            print(f"python client: RPC failed: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
