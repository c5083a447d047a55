"""``adoption dashboard``: start the web dashboard (needs the ``[dashboard]`` extra).

The command line registers it here without importing Solara, so ``adoption run`` and the
core install never load the dashboard's dependencies (tested).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

from .errors import UserError
from .i18n import LANGUAGES

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


def command(host: str, port: int) -> list[str]:
    """The server's command line (Solara's, in production mode)."""
    return [
        sys.executable,
        "-m",
        "solara",
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
    ]


def serve(args: argparse.Namespace) -> int:
    """Start the server in the foreground; Ctrl-C stops it."""
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
    env = {**os.environ, "ADOPTION_LANG": args.lang}
    return subprocess.call(command(args.host, args.port), env=env)
