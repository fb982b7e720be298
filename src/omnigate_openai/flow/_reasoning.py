"""Which Flow models LiteLLM passes `reasoning_effort` on to, by its own rule on the name.

LiteLLM (1.108.7) lists `reasoning_effort` among the chat parameters of its GPT-5 config (`OpenAIGPT5Config`,
whose models `_verbosity.py` names, but for the search models, whose short list lacks it) and of its o-series
configs: OpenAI's (`OpenAIOSeriesConfig`, a model part of `o` and a digit; the configs built on OpenAI's share
it for the o-series models LiteLLM lists) and Azure's (`AzureOpenAIO1Config`: `o1`, `o3`, `o4` or `o_series/`
anywhere in the name). Other configs list it by the model's row in LiteLLM's model map (Anthropic's and Gemini's
thinking models, an OpenAI name it does not know): data the client does not hold, so there a Responses call's
`reasoning.effort` is refused rather than guessed at. A chat call's own `reasoning_effort` is sent as given, for
LiteLLM to judge.
`tests/flow/test_reasoning.py` holds this rule to LiteLLM's answer.
"""

from __future__ import annotations

import re

from ._verbosity import AZURE_O_SERIES_MARKERS, litellm_forwards_verbosity

__all__ = ["litellm_forwards_reasoning_effort", "why_no_reasoning_effort"]

_O_SERIES = re.compile(r"o\d")
"""`OpenAIOSeriesConfig.is_model_o_series_model`, on the model part, for `openai` (LiteLLM also looks it up in its
list of OpenAI's models; on `openai` a name missing there goes to its config for unknown models, which passes
`reasoning_effort` on all the same)."""

_LISTED_O_SERIES = re.compile(
    r"(o1|o1-pro|o3|o3-mini|o3-pro|o3-deep-research|o4-mini|o4-mini-deep-research)(-\d{4}-\d{2}-\d{2})?"
)
"""The o-series models of LiteLLM's list of OpenAI's chat models (`open_ai_chat_completion_models`): the configs
built on OpenAI's (`chatgpt`, `github_copilot`, `azure_ai`) give any other name their GPT config, which refuses
`reasoning_effort` with a 400 (`chatgpt/o1-mini`: "does not support parameters: ['reasoning_effort']")."""

_OPENAI_KIN = frozenset({"chatgpt", "github_copilot", "azure_ai"})
"""The providers whose chat configs are built on OpenAI's (RAGFlow's names are left out: its `chat/<id>/`
endpoints are judged by no rule here)."""


def litellm_forwards_reasoning_effort(model: object) -> bool:
    """Whether LiteLLM passes `reasoning_effort` on to the Flow model `model`."""
    if not isinstance(model, str):
        return False
    provider, _, name = model.partition("/")
    if provider == "litellm_proxy":
        return litellm_forwards_reasoning_effort(name)
    if litellm_forwards_verbosity(model):  # the GPT-5 config
        return provider != "bedrock_mantle" and not ("gpt-5" in name and "search" in name)
    if provider == "azure":
        return any(marker in name for marker in AZURE_O_SERIES_MARKERS)
    named = name.rsplit("/", 1)[-1]
    if provider == "openai":
        return _O_SERIES.match(named) is not None
    return provider in _OPENAI_KIN and _LISTED_O_SERIES.fullmatch(named) is not None


def why_no_reasoning_effort(model: object) -> str | None:
    """Why `reasoning.effort` cannot be sent to `model` as `reasoning_effort`, or None where it can."""
    if litellm_forwards_reasoning_effort(model):
        return None
    if isinstance(model, str) and "/" not in model:
        return "a bare name stands for a deployment the client cannot see, which may not take `reasoning_effort`"
    return (
        f"LiteLLM passes `reasoning_effort` on to the GPT-5 family and OpenAI's o-series, and {model!r} is not one "
        "(a chat call's own `reasoning_effort` is sent as given, for LiteLLM to judge)"
    )
