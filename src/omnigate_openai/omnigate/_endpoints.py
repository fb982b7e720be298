"""Which of the SDK's resources OmniGate 0.2 lacks: a call to one would answer a bare `404 Not Found`.

Keyed by the first segment of the resource's path under `/v1`, as `GatewayProfile.lacked_endpoint`
reads it; the value names the resource in the error. The list covers every resource of openai 2.x
and 3.x that OmniGate does not serve. `responses` is absent on purpose: the Responses API is served
over chat completions by the client (its own issue), not refused here. The gateway-only routes
(`/me`, `/metrics`, `/keys`, `/signup`, `/admin`, `/chat`) and `/chat/completions` and `/models` are served,
but not every method of the last two (`lacked_method`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["UNSUPPORTED_ENDPOINTS", "lacked_method"]

UNSUPPORTED_ENDPOINTS: Mapping[str, str] = MappingProxyType(
    {
        "embeddings": "client.embeddings",
        "completions": "client.completions (legacy completions)",
        "images": "client.images",
        "audio": "client.audio",
        "moderations": "client.moderations",
        "files": "client.files",
        "uploads": "client.uploads",
        "batches": "client.batches",
        "vector_stores": "client.vector_stores",
        "fine_tuning": "client.fine_tuning",
        "assistants": "client.beta.assistants",
        "threads": "client.beta.threads",
        "chatkit": "client.beta.chatkit",
        "agents": "client.beta.agents",
        "vaults": "client.beta.vaults",
        "realtime": "client.realtime",
        "containers": "client.containers",
        "conversations": "client.conversations",
        "evals": "client.evals",
        "videos": "client.videos",
        "skills": "client.skills",
        "organization": "client.admin",
        "projects": "client.admin",
        "decisions": "client.decisions",
        "safety": "client.safety",
        "live": "client.live",
        "content_provenance_checks": "client.content_provenance_checks",
        "webhook_endpoints": "client.webhooks",
        "webhook_event_types": "client.webhooks",
    }
)


_STORED_COMPLETIONS = "client.chat.completions stored completions (list, retrieve, update, delete, messages)"


def lacked_method(method: str, url: str) -> str | None:
    """The SDK method a call belongs to if OmniGate serves its resource but not that method, else None.

    OmniGate answers `POST /chat/completions` only (it stores no completion, whatever `store` says:
    listing them is 405, the rest 404) and lists and reads `/models` but deletes none (405).
    """
    path = url.split("?", 1)[0].rstrip("/")
    method = method.lower()
    if path.startswith("/chat/completions") and (path != "/chat/completions" or method != "post"):
        return _STORED_COMPLETIONS
    if path.startswith("/models/") and method == "delete":
        return "client.models.delete"
    return None
