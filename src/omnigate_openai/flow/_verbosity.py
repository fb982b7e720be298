"""Which Flow models LiteLLM passes `verbosity` on to: the GPT-5 family, by LiteLLM's own rule on the name.

LiteLLM (1.108.7) lists `verbosity` among the chat parameters of `OpenAIGPT5Config` only
(`litellm/llms/openai/chat/gpt_5_transformation.py`, `get_supported_openai_params`; BerriAI/litellm#16660),
and answers any other model's `verbosity` with `UnsupportedParamsError` (a 400), or drops it under
`drop_params`. That config serves a model when `is_gpt_reasoning_series_name(model)` holds, on the providers
whose configs ask it: `openai` and the configs built on OpenAI's (`chatgpt`, `github_copilot`, `ragflow`),
`azure` (`llms/azure/chat/gpt_5_transformation.py`, which also takes its `gpt5_series` deployment marker),
`azure_ai` (`llms/azure_ai/chat/transformation.py`) and `bedrock_mantle`. Azure asks its o-series test first
(`AzureOpenAIO1Config.is_o_series_model`): a name holding `o1`, `o3`, `o4` or `o_series/` anywhere goes to
that config, which lacks `verbosity`. `litellm_proxy` (`LiteLLMProxyChatConfig`) passes every field on to
another LiteLLM proxy, which judges the rest of the name by this same rule.

A Flow name is LiteLLM's `provider/model`. A bare name is not one LiteLLM routes by itself: on the proxy it
is a `model_name` of its model list, and the deployment it stands for (`gpt-5-mini` may be `openai/gpt-4o`)
decides, unseen by the client. The line in the system message is served by every model and the field
is not, so a bare name gets the line. `tests/flow/test_verbosity.py` holds this rule to LiteLLM's answer.
"""

from __future__ import annotations

__all__ = ["AZURE_O_SERIES_MARKERS", "litellm_forwards_verbosity"]

_SERIES_MARKERS = ("gpt-5", "gpt-6")
"""`GPT_REASONING_SERIES_MARKERS`: anywhere in the model's name, case-sensitive, as LiteLLM looks."""

AZURE_O_SERIES_MARKERS = ("o1", "o3", "o4", "o_series/")
"""`AzureOpenAIO1Config.is_o_series_model`'s, asked before the GPT-5 test: it wins (`azure/gpt-5-demo1`)."""

_PROVIDERS = frozenset({"openai", "chatgpt", "github_copilot", "ragflow", "azure", "azure_ai", "bedrock_mantle"})
"""The providers whose chat configs hand a GPT-5 name to `OpenAIGPT5Config` (OpenRouter's, vLLM's do not)."""

_RAGFLOW_ENDPOINTS = ("chat/", "agent/")
"""RAGFlow names are `ragflow/{chat,agent}/<id>/<model>`; LiteLLM refuses any other."""


def litellm_forwards_verbosity(model: object) -> bool:
    """Whether LiteLLM sends `verbosity` on for the Flow model `model`; else the client says it in words."""
    if not isinstance(model, str):
        return False
    provider, _, name = model.partition("/")
    if provider == "litellm_proxy":
        return litellm_forwards_verbosity(name)
    if not name or provider not in _PROVIDERS:  # a bare name among them: an alias the client cannot resolve
        return False
    if provider == "ragflow" and (not name.startswith(_RAGFLOW_ENDPOINTS) or name.count("/") < 2):
        return False
    if provider == "azure":
        if any(marker in name for marker in AZURE_O_SERIES_MARKERS):
            return False
        if "gpt5_series" in name:
            return True
    # `is_gpt_reasoning_series_name`: a marker in the name, but not GPT-5's chat model (its last segment).
    return any(marker in name for marker in _SERIES_MARKERS) and "gpt-5-chat" not in name.split("/")[-1]
