"""``adoption dashboard``: start the web dashboard (needs the ``[dashboard]`` extra).

The command line registers it here without importing Solara, so ``adoption run`` and the
core install never load the dashboard's dependencies (tested).
"""

from __future__ import annotations

import argparse
import importlib.util
import os

from adoption.errors import UserError
from adoption.reports.i18n import LANGUAGES

#: The modules the dashboard needs beyond the core install.
NEEDS = ("solara", "ipyvuetify")


def add_command(commands) -> None:
    """Register ``adoption dashboard``."""
    dash = commands.add_parser(
        "dashboard",
        help="start the web dashboard (planner and researcher views) and print its address",
    )
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    dash.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    dash.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default="vi",
        help="the page's first language (switchable in the page; default vi)",
    )
    dash.set_defaults(handler=serve)


def arguments(host: str, port: int) -> list[str]:
    """Solara's command line for the app (production mode: no reloading, no code shown)."""
    return [
        "run",
        "adoption.dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
        "--no-check-version",  # solara is pinned on purpose (pyproject.toml): no "please upgrade"
    ]


def serve(args: argparse.Namespace) -> int:
    """Serve in this process until Ctrl-C (or a signal) stops it."""
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise UserError(
            "adoption dashboard",
            "install",
            "needs the dashboard extra: "
            "pip install -e '.[dashboard]' (missing: " + ", ".join(missing) + ")",
        )
    if not 1 <= args.port <= 65535:
        raise UserError("--port", "port", f"must be in [1, 65535], got {args.port}")
    print(f"adoption dashboard: open http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    os.environ["ADOPTION_LANG"] = args.lang  # the page's first language (dashboard.state)
    from solara.__main__ import cli

    cli.main(arguments(args.host, args.port), prog_name="solara", standalone_mode=False)
    return 0
