"""Wiring for the frameworks that take an OpenAI client, one module per framework.

Each framework has a way to bypass a custom client: it builds its own `openai.OpenAI` from
`OPENAI_API_KEY` when one of several clients is missing, calls an endpoint the gateway lacks, or
sends `client.api_key` to another host. These helpers wire a gateway client so that none of that
happens. Every module imports its framework only when a helper is called, and nothing here is
imported by `import omnigate_openai`: `patch` loads with the root's first `patch_openai` or
`unpatch_openai`, needs no framework, and imports `wrapt` only when patching.

    omnigate_openai.integrations.langchain      chat_model(client, async_client=None, **kw)
    omnigate_openai.integrations.openai_agents  install(client), chat_model(client, model)
    omnigate_openai.integrations.pydantic_ai    chat_model(client, model, **kw)
    omnigate_openai.integrations.instructor     from_client(client, mode=None)
    omnigate_openai.integrations.llama_index    llm(...), responses_llm(client, async_client=None, *, model, **kw)
    omnigate_openai.integrations.haystack       chat_generator(...), responses_chat_generator(client, ...);
                                                .generators: their classes, which serialize (Pipeline.dumps)
    omnigate_openai.integrations.patch          patch_openai(), unpatch_openai()
"""
