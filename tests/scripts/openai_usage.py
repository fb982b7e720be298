"""Ordinary code written for the `openai` SDK. The drop-in test runs it with only the import changed."""

import asyncio

from openai import AsyncOpenAI, OpenAI

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello."}]


def main() -> None:
    client = OpenAI()

    completion = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2)
    print("create:", completion.choices[0].message.content, completion.usage.total_tokens)

    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    print("stream:", "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices))

    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)
    print("raw:", raw.http_request.method, raw.status_code, raw.parse().choices[0].finish_reason)

    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    ) as response:
        print("streaming response:", "".join(c.choices[0].delta.content or "" for c in response.parse() if c.choices))

    parsed = client.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES)
    print("parse:", parsed.choices[0].message.content)

    with client.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as helper:
        print("stream helper:", helper.get_final_completion().choices[0].message.content)

    quick = client.with_options(timeout=20, max_retries=1)
    print(
        "with_options:",
        quick.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).choices[0].message.content,
    )
    print("copy:", client.copy().models.retrieve("gpt-4o-mini").id)
    print("models:", len(client.models.list().data))

    asyncio.run(async_main())


async def async_main() -> None:
    client = AsyncOpenAI()
    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    print("async create:", completion.choices[0].message.content)
    stream = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    print("async stream:", "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]))
    await client.close()


if __name__ == "__main__":
    main()
