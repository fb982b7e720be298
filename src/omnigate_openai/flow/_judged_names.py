"""The OpenAI name a framework should judge a Flow model by, where it reads a model's rules off its name.

LangChain's `ChatOpenAI` drops `temperature` (but 1) for a name starting `gpt-5` (not GPT-5's chat model),
and reads the context window off a table of OpenAI's names. A Flow name is LiteLLM's `provider/model`,
judged as its model part (`openai/gpt-4o` as `gpt-4o`, `ragflow/chat/my-chat/gpt-4o` as `gpt-4o`).

LiteLLM serves more names with its GPT-5 config than those whose model part starts `gpt-5`: any holding
`gpt-5` or `gpt-6` on OpenAI's, Azure's and their kin (`azure/my-gpt-5-deployment`, `openai/gpt-6`,
`litellm_proxy/openai/gpt-5-mini`). That config answers a temperature but 1 with a 400 while the model
reasons (`llms/openai/chat/gpt_5_transformation.py`, `map_openai_params`), so such a name is judged as
`gpt-5`. It is the config that also takes `verbosity`, so `_verbosity.py`'s rule names those models.
`tests/flow/test_framework_names.py` holds this to LiteLLM's own answer.
"""

from __future__ import annotations

from ._verbosity import litellm_forwards_verbosity

__all__ = ["judged_model_name"]

_GPT_5 = "gpt-5"
"""The prefix LangChain gives GPT-5's rules to, and the name a model LiteLLM serves so is judged as."""


def judged_model_name(model: str) -> str:
    """The model part of the Flow name `model` (its last segment), or `gpt-5` for a model LiteLLM serves as one."""
    named = model.rsplit("/", 1)[-1]
    if litellm_forwards_verbosity(model) and not named.startswith(_GPT_5):
        return _GPT_5
    return named
