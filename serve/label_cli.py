"""`winnow label`: serve the labelling tool on loopback and open it in a browser."""

from __future__ import annotations

import argparse
import sys

HELP = (
    "Open the labelling tool: paste or open a raw page, correct the model's labels with the "
    "keyboard, save it into the labels folder (served on loopback only)."
)
DEFAULT_PORT = 8765


def configure(parser: argparse.ArgumentParser) -> None:
    from winnow.serve.labeller import LOOPBACK_HOSTS

    parser.add_argument(
        "--host",
        default="127.0.0.1",
        choices=sorted(LOOPBACK_HOSTS - {"[::1]"}),
        help="loopback address to listen on (the tool writes files and has no login)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 = any free"
    )
    parser.add_argument(
        "--labels-dir",
        default="data/labels",
        help="folder that receives <lang>/<site>/<id>.tsv (default: data/labels)",
    )
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")
    parser.add_argument(
        "--no-browser", action="store_true", help="only print the address, do not open a browser"
    )


def run(args: argparse.Namespace) -> int:
    import webbrowser

    from werkzeug.serving import make_server

    from winnow.serve.labeller import create_app

    app = create_app({"LABELS_DIR": args.labels_dir, "MODEL": args.model})
    state = app.extensions["labeller"]
    if state["model_error"]:
        print(f"winnow label: no model, lines start as X: {state['model_error']}", file=sys.stderr)
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as err:
        print(f"winnow label: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{server.server_port}/"
    where = app.config["LABELS_DIR"]
    print(f"winnow label: {url}  (pages go to {where}; Ctrl+C stops)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("winnow label: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
