"""Checks inferd's OpenAI-compatible REST gateway with the official `openai` Python package.

    python -m venv .venv && .venv/bin/pip install -r requirements.txt
    INFERD_REST_URL=http://127.0.0.1:8080/v1 [INFERD_API_KEY=...] .venv/bin/python check.py

INFERD_CHAT_MODEL picks the chat model (default: the first model /v1/models lists). Exits non-zero when
any check fails.
"""

import json
import os
import sys

import openai
from openai import OpenAI

client = OpenAI(
    base_url=os.environ.get("INFERD_REST_URL", "http://127.0.0.1:8080/v1"),
    api_key=os.environ.get("INFERD_API_KEY", "none"),
    max_retries=0,  # a check should see the server's first answer, not hide a 429 or a 503
    timeout=60,
)
MESSAGES = [{"role": "user", "content": "Once upon a time"}]


def main() -> None:
    models = [m.id for m in client.models.list().data]
    assert models, "GET /models lists no model"
    model = os.environ.get("INFERD_CHAT_MODEL", models[0])
    print(f"models: {', '.join(models)}")

    greedy = client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=24, temperature=0)
    text = greedy.choices[0].message.content
    assert text, "empty completion"
    assert greedy.usage.total_tokens == greedy.usage.prompt_tokens + greedy.usage.completion_tokens
    print(f"chat: {greedy.usage.completion_tokens} tokens: {text!r}")

    # stop: a word from the middle of the greedy answer ends it there; the stop text is not returned.
    word = text.split()[1]
    stopped = client.chat.completions.create(
        model=model, messages=MESSAGES, max_tokens=24, temperature=0, stop=["zzzz", word]
    )
    assert stopped.choices[0].finish_reason == "stop", stopped.choices[0].finish_reason
    assert stopped.choices[0].message.content == text[: text.index(word)], stopped.choices[0].message.content
    streamed, usage = "", None
    for chunk in client.chat.completions.create(
        model=model,
        messages=MESSAGES,
        max_tokens=24,
        temperature=0,
        stop=word,
        stream=True,
        stream_options={"include_usage": True},
    ):
        if chunk.choices:
            streamed += chunk.choices[0].delta.content or ""
        if chunk.usage:
            assert not chunk.choices, "include_usage: usage comes in a chunk of its own"
            usage = chunk.usage
    assert streamed == stopped.choices[0].message.content, streamed
    assert usage and usage.completion_tokens > 0
    print(f"stop: {word!r} ends the answer (whole and streamed); include_usage chunk: {usage.total_tokens} tokens")

    # n: three choices; the developer role is the system role.
    three = client.chat.completions.create(
        model=model,
        messages=[{"role": "developer", "content": "Be brief."}] + MESSAGES,
        max_tokens=8,
        temperature=1,
        seed=3,
        n=3,
    )
    assert [c.index for c in three.choices] == [0, 1, 2]
    print(f"n=3: {len(three.choices)} choices, {three.usage.completion_tokens} completion tokens")

    # logprobs: at most 0, with the asked number of alternatives.
    lp = client.chat.completions.create(
        model=model, messages=MESSAGES, max_tokens=6, temperature=0, logprobs=True, top_logprobs=3
    )
    content = lp.choices[0].logprobs.content
    assert len(content) == lp.usage.completion_tokens
    assert all(t.logprob <= 0 and len(t.top_logprobs) == 3 for t in content)
    print(f"logprobs: {len(content)} tokens, each <= 0 with 3 alternatives")

    # /v1/completions: a prompt string and a prompt array.
    one = client.completions.create(model=model, prompt="And God said", max_tokens=8, temperature=0)
    assert one.object == "text_completion" and one.choices[0].text
    many = client.completions.create(model=model, prompt=["And God said", "The Lord is"], max_tokens=4)
    assert [c.index for c in many.choices] == [0, 1]
    streamed = "".join(
        c.choices[0].text
        for c in client.completions.create(
            model=model, prompt="And God said", max_tokens=8, temperature=0, stream=True
        )
        if c.choices
    )
    assert streamed == one.choices[0].text, streamed
    print(f"completions: {one.choices[0].text!r} (whole = streamed), 2 prompts -> 2 choices")

    # json_schema with strict: the answer parses and has exactly the required fields.
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 12},
            "age": {"type": "integer", "minimum": 0, "maximum": 150},
        },
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    structured = client.chat.completions.create(
        model=model,
        messages=MESSAGES,
        max_tokens=200,  # room for the whole object: the grammar allows a line break and indent between tokens
        temperature=0,
        response_format={"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": schema}},
    )
    person = json.loads(structured.choices[0].message.content)
    assert sorted(person) == ["age", "name"], person
    assert isinstance(person["name"], str) and isinstance(person["age"], int) and 0 <= person["age"] <= 150
    print(f"json_schema: {person}")

    # Tools: a forced call on a model whose chat template renders tools always has valid JSON
    # arguments (grammar-constrained); a model whose template has no tool support (the shipped
    # default model's has none) answers 400 naming `tools` instead of ignoring them.
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "enum": ["Paris", "Rome"]}},
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    }
    try:
        called = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Weather in Paris?"}],
            max_tokens=200,
            temperature=0,
            tools=[weather],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            parallel_tool_calls=False,
        )
        choice = called.choices[0]
        assert choice.finish_reason == "tool_calls", choice
        call = choice.message.tool_calls[0]
        assert call.function.name == "get_weather" and call.id, call
        assert json.loads(call.function.arguments)["city"] in ("Paris", "Rome"), call
        print(f"tools: forced call {call.function.name}({call.function.arguments})")
    except openai.BadRequestError as e:
        assert e.param == "tools" and "no tool support" in str(e.body), e.body
        print(f"tools: model {model}'s chat template has no tool support: 400 naming tools")

    # No parameter is silently ignored: an unknown one is a 400 naming it.
    try:
        client.chat.completions.create(
            model=model, messages=MESSAGES, max_tokens=2, extra_body={"mirostat": 2}
        )
        raise AssertionError("an unknown parameter was accepted")
    except openai.BadRequestError as e:
        assert e.param == "mirostat", e.body
    print("unsupported parameter: 400 naming it")
    print("openai-python check: OK")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure fails the check
        print(f"openai-python check: FAILED: {e!r}", file=sys.stderr)
        sys.exit(1)
