"""The commands: each a few lines over the public client (`client.gateway.*`), rendered by `_render`."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated, Any, NoReturn

import openai
import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from .._client import OpenAI
from .._extras import install_hint
from .._masking import masked_text, remember
from . import _render
from ._doctor import cli_words, run_checks

__all__ = ["app"]


# Consoles are made where they print: one made at import would keep the `COLUMNS` of that moment for every later
# command of a process that runs many (an app embedding the command line, a test worker), as one process per
# command never would.
def _out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)  # one line, whatever the width: scripts read it


class _GatewayGroup(TyperGroup):
    """Turns every gateway or argument error into one line on stderr and exit status 1, in one place."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except (openai.OpenAIError, ValueError) as error:  # ConfigurationError is a ValueError too
            _fail(error)


def _fail(error: BaseException) -> NoReturn:
    # A server or proxy may echo a key back in its message: the keys this process holds are masked.
    lines = masked_text(str(error)).strip().splitlines() or [type(error).__name__]
    _err().print(f"[bold red]error:[/] {escape(cli_words(lines[0]))}")
    raise typer.Exit(code=1)


app = typer.Typer(
    cls=_GatewayGroup,
    name="omnigate-openai",
    help="The OmniGate gateway's own APIs from the terminal (doctor, models, metrics, keys, provider keys), "
    "and a local gateway to try them on (serve).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
keys_app = typer.Typer(cls=_GatewayGroup, help="Gateway keys of this project.", no_args_is_help=True)
provider_keys_app = typer.Typer(cls=_GatewayGroup, help="Provider keys (BYOK) of this project.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(provider_keys_app, name="provider-keys")

Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]


@dataclass(frozen=True)
class _Connection:
    """What the global options say; anything left out comes from the same `OMNIGATE_*` variables as the client."""

    base_url: str | None = None
    api_key: str | None = None
    admin_key: str | None = None

    def client(self) -> OpenAI:
        return OpenAI(base_url=self.base_url, api_key=self.api_key, admin_key=self.admin_key)


def _print_version(wanted: bool) -> None:
    if wanted:
        from .. import __version__

        typer.echo(f"omnigate-openai {__version__}")
        raise typer.Exit()


@app.callback()
def _connection(
    ctx: typer.Context,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Gateway URL. Default: $OMNIGATE_BASE_URL.", show_default=False)
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="Gateway key. Default: $OMNIGATE_API_KEY (safer).", show_default=False),
    ] = None,
    admin_key: Annotated[
        str | None,
        typer.Option("--admin-key", help="Operator key. Default: $OMNIGATE_ADMIN_KEY.", show_default=False),
    ] = None,
    _version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    ctx.obj = _Connection(base_url=base_url, api_key=api_key, admin_key=admin_key)


def _client(ctx: typer.Context) -> OpenAI:
    connection = ctx.find_object(_Connection) or _Connection()
    return connection.client()


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _show(as_json: bool, data: object, view: RenderableType | Callable[[], RenderableType]) -> None:
    """A command's result: JSON for scripts (`--json`, as the gateway sent it), else the rendered view for people."""
    if as_json:
        _print_json(data)
    else:
        _out().print(view() if callable(view) else view)


def _dump(model: Any) -> Any:
    if isinstance(model, list):
        return [item.model_dump(mode="json") for item in model]
    return model.model_dump(mode="json")


@app.command()
def doctor(ctx: typer.Context, as_json: Json = False) -> None:
    """Check the configuration, the gateway, the key, provider keys, the clock and the version."""
    connection = ctx.find_object(_Connection) or _Connection()
    checks = run_checks(connection.client, given=asdict(connection))
    _show(
        as_json,
        {"ok": all(check.ok for check in checks), "checks": [asdict(check) for check in checks]},
        _render.doctor_report(checks),
    )
    if not all(check.ok for check in checks):
        raise typer.Exit(code=1)


@app.command()
def models(ctx: typer.Context, as_json: Json = False) -> None:
    """List the models the gateway routes and prices, with USD per 1,000 tokens."""
    with _client(ctx) as client:
        found = client.gateway.models()
    _show(as_json, _dump(found), lambda: _render.model_table(_render.complete(found)))


@app.command()
def metrics(
    ctx: typer.Context,
    range_: Annotated[
        str | None, typer.Option("--range", "-r", help="1h, 24h, 7d or 30d (24h when no window is given).")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Window start, ISO-8601 with offset.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Window end (default now), ISO-8601 with offset.")] = None,
    group_by: Annotated[str | None, typer.Option("--group-by", "-g", help="provider, model, user or status.")] = None,
    granularity: Annotated[str | None, typer.Option(help="minute, hour or day.")] = None,
    as_json: Json = False,
) -> None:
    """Show spend, tokens, errors and latency: totals, a breakdown and requests over time."""
    with _client(ctx) as client:
        result = client.gateway.metrics(
            range=range_,  # type: ignore[arg-type]  # checked before sending, with the gateway's messages
            from_=from_,
            to=to,
            group_by=group_by,  # type: ignore[arg-type]
            granularity=granularity,  # type: ignore[arg-type]
        )
    _show(as_json, _dump(result), lambda: _render.metrics_report(_render.complete(result)))


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to recognise the key by.")],
    as_json: Json = False,
) -> None:
    """Create a gateway key. Its secret is printed this once."""
    with _client(ctx) as client:
        created = client.gateway.api_keys.create(name)
    _show(as_json, _dump(created), lambda: _render.created_key(_render.complete(created)))


@keys_app.command("list")
def keys_list(ctx: typer.Context, as_json: Json = False) -> None:
    """List the project's named gateway keys (by prefix), revoked ones included."""
    with _client(ctx) as client:
        found = client.gateway.api_keys.list()
    _show(as_json, _dump(found), lambda: _render.api_key_table(_render.complete(found)))


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")],
    as_json: Json = False,
) -> None:
    """Revoke a gateway key at once. Revoking twice is harmless."""
    with _client(ctx) as client:
        client.gateway.api_keys.revoke(key_id)
    _show(as_json, {"id": key_id, "revoked": True}, f"Revoked gateway key {escape(key_id)}.")


@provider_keys_app.command("set")
def provider_keys_set(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="openai, anthropic, gemini or azure.")],
    key: Annotated[
        str,
        typer.Option(
            "--key",
            prompt="Provider key",
            hide_input=True,
            envvar="OMNIGATE_PROVIDER_KEY",
            help="The provider's API key; prompted for (hidden) when not given.",
            show_default=False,
        ),
    ],
    endpoint: Annotated[str | None, typer.Option(help="Azure: the resource endpoint, https://….")] = None,
    deployment: Annotated[str | None, typer.Option(help="Azure: the deployment name.")] = None,
    api_version: Annotated[str | None, typer.Option(help="Azure: API version (default 2024-10-21).")] = None,
    as_json: Json = False,
) -> None:
    """Store (or replace) the project's key for a provider; Azure also needs --endpoint and --deployment."""
    given = {"endpoint": endpoint, "deployment": deployment, "api_version": api_version}
    meta = {name: value for name, value in given.items() if value is not None} or None
    remember(key)  # masked if an error message echoes it
    with _client(ctx) as client:
        client.gateway.provider_keys.set(provider, key, meta=meta)  # type: ignore[arg-type]
    _show(as_json, {"provider": provider, "stored": True}, f"Stored the {escape(provider)} key for this project.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on; 0 picks a free one.")] = 8000,
    show_keys: Annotated[
        bool, typer.Option("--show-keys", help="Print the gateway and admin keys (secrets, even locally).")
    ] = False,
    as_json: Json = False,
) -> None:
    """Run the local OmniGate gateway (a test double with a fake provider) until interrupted.

    It listens before it says anything: a busy port is one error line, and the URL printed (or the
    one JSON line of --json: base_url, root_url, port, and with --show-keys api_key and admin_key)
    names the port it really got.
    """
    try:
        from ..testing import run_server
    except ImportError as error:
        _fail(ImportError(f"`serve` needs the testing extra: {install_hint('testing')} ({error})"))

    stdout = sys.stdout  # with --json, everything but the one line goes to stderr

    def announce(facts: dict[str, Any]) -> None:
        if as_json:
            print(json.dumps(facts), file=stdout, flush=True)  # one line, for `readline()`
        else:
            _out().print(_render.serving(facts))
            stdout.flush()

    try:
        with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
            run_server(host, port, show_keys=show_keys, announce=announce)
    except OSError as error:
        _fail(OSError(f"cannot listen on {host}:{port}: {error.strerror or error}"))
