"""Which of the SDK's resources OmniGate 0.2 lacks: a call to one would answer a bare `404 Not Found`.

Keyed by the first segment of the resource's path under `/v1`, as `GatewayProfile.lacked_endpoint`
reads it; the value names the resource in the error. The list covers every resource of openai 2.x
and 3.x that OmniGate does not serve. `responses` is absent on purpose: the Responses API is served
over chat completions by the client (its own issue), not refused here. The gateway-only routes
(`/me`, `/metrics`, `/keys`, `/signup`, `/admin`, `/chat`) and `/chat/completions` and `/models` are served.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["UNSUPPORTED_ENDPOINTS"]

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
