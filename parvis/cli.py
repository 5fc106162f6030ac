"""The `parvis` command: serve, worker, migrate, demo, site, createsuperuser, check, moderation.

Production is the default. `--dev` (or PARVIS_MODE=dev) selects development settings: a secret generated
into the data directory and localhost allowed as a host. `serve` in production first runs the deploy
checks and refuses to start on an insecure secret or with debug on, saying what to set. `serve` starts a task
worker beside the web server, and in development with PARVIS_EMAIL_CAPTURE_DIR set also the capture SMTP server
(`make demo` does), so the emails a reader would receive can be read at /notifications/mailbox/.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parvis.core.models import Site

SETTINGS = {"dev": "parvis.settings.dev", "production": "parvis.settings.prod"}


def _setup(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS[mode])
    import django

    django.setup()


def _call(*args: str) -> int:
    from django.core.management import call_command
    from django.core.management.base import CommandError, SystemCheckError

    try:
        call_command(*args)
    except SystemCheckError as error:
        print(error, file=sys.stderr)
        return 1
    except CommandError as error:
        print(f"parvis: {error}", file=sys.stderr)
        return 2
    return 0


def _serve(options: argparse.Namespace) -> int:
    from parvis import conf

    deploy = options.mode == "production"
    status = _call("check", "--deploy", "--fail-level", "ERROR") if deploy else _call("check")
    if status:
        print("parvis: refusing to start in production mode; fix the errors above.", file=sys.stderr)
        return status
    # Static files are collected once and served by granian itself, never by a Python worker.
    if _call("collectstatic", "--noinput", "--verbosity", "0"):
        return 1
    from django.conf import settings

    workers = options.workers or conf.workers() or os.cpu_count() or 1
    # fmt: off
    command = [
        sys.executable, "-m", "granian", "--interface", "asginl",
        "--host", options.host, "--port", str(options.port), "--workers", str(workers),
        "--no-ws", "--log-level", "warning", "--backpressure", str(conf.worker_connections()),
        "--static-path-route", settings.STATIC_URL.rstrip("/"), "--static-path-mount", str(settings.STATIC_ROOT),
        "parvis.asgi:application",
    ]
    # fmt: on
    if options.mode == "dev":
        command.insert(-1, "--access-log")
    if options.mode == "dev" and not options.no_mailcapture:
        _start_mail_capture()
    if not options.no_worker:
        _start_task_worker(options.mode)
    print(f"Parvis ({options.mode}) on http://{options.host}:{options.port} with {workers} worker(s)", flush=True)
    # exec, not a child process: signals from systemd, a terminal or a test reach granian directly.
    os.execv(sys.executable, command)  # noqa: S606 (fixed argument list)
    return 0


def _end_with_parent() -> None:
    """In the task worker's process: receive SIGTERM when the server (its parent, after exec) exits (Linux)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _start_task_worker(mode: str) -> None:
    """One background-task worker beside the web server, so a single `parvis serve` is a whole install."""
    import subprocess

    arguments = [sys.executable, "-m", "parvis.cli", *(["--dev"] if mode == "dev" else []), "worker"]
    subprocess.Popen(arguments, preexec_fn=_end_with_parent)  # noqa: S603 (fixed argument list)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _start_mail_capture() -> None:
    """In development, with PARVIS_EMAIL_CAPTURE_DIR set: the capture SMTP server beside the web server, on
    loopback at PARVIS_EMAIL_PORT, so the worker's emails land in that folder and at /notifications/mailbox/."""
    import subprocess

    from parvis import conf

    if not conf.email_capture_dir():
        return
    smtp = conf.smtp()
    if smtp.host not in LOOPBACK:
        print(f"parvis: emails go to {smtp.host}, not to this machine: no capture server", flush=True)
        return
    host = "::1" if smtp.host == "::1" else "127.0.0.1"
    arguments = [sys.executable, "-m", "parvis.cli", "--dev", "manage", "mailcapture", "--host", host,
                 "--port", str(smtp.port)]  # fmt: skip
    subprocess.Popen(arguments, preexec_fn=_end_with_parent)  # noqa: S603 (fixed argument list)


def _worker(options: argparse.Namespace) -> int:
    from parvis.core.worker import run_until_stopped

    return run_until_stopped(options.interval, _call)


def site_or_none(slug: str) -> Site | None:
    """The site of ``slug``, or None after telling the operator there is none (commands then exit with 2)."""
    from parvis.core.models import Site

    found = Site.objects.filter(slug=slug).first()
    if found is None:
        print(f"parvis: no site {slug!r} (see `parvis site list`)", file=sys.stderr)
    return found


def _site_models(options: argparse.Namespace) -> int:
    from parvis.moderation import learning
    from parvis.moderation.models import SiteModel

    site = site_or_none(options.site)
    if site is None:
        return 2
    if options.moderation_command == "learn":
        version = learning.learn(site)
        print("nothing new to learn" if version is None else f"version {version.version}: {version.state}")
        return 0
    if options.moderation_command == "rollback":
        try:
            target = learning.rollback(site, options.to)
        except ValueError as error:
            print(f"parvis: {error}", file=sys.stderr)
            return 2
        print(f"model version {target.version} is in force" if target else "no site model: the shipped engine alone")
        return 0
    for version in SiteModel.objects.filter(site=site).order_by("version"):
        print(f"v{version.version}\t{version.state}\t{version.examples} decisions\t{version.created_at:%Y-%m-%d %H:%M}"
              f"\t{version.metrics}")  # fmt: skip
    return 0


def _policy(options: argparse.Namespace) -> int:
    """Print the site's policy in force as JSON, or save a JSON file as its next version (policy as code)."""
    import json

    from parvis.moderation.policy import PolicyError, active_policy, save_policy

    site = site_or_none(options.site)
    if site is None:
        return 2
    if options.file is None:
        current = active_policy(site)
        print(json.dumps({"version": current.version, "config": current.config.to_json()}, indent=2))
        return 0
    try:
        data = json.loads(options.file.read_text(encoding="utf-8"))
        saved = save_policy(site, data, note=options.note or f"from {options.file.name}")
    except (OSError, ValueError) as error:  # PolicyError and JSONDecodeError are ValueErrors
        field = f" ({error.field})" if isinstance(error, PolicyError) else ""
        print(f"parvis: policy not saved{field}: {error}", file=sys.stderr)
        return 2
    print(f"policy version {saved.version} of {options.site} is in force")
    return 0


def _moderation(options: argparse.Namespace) -> int:
    if options.moderation_command == "policy":
        return _policy(options)
    if options.moderation_command in ("learn", "rollback", "models"):
        return _site_models(options)
    if options.moderation_command == "apikey":
        return _call("moderation_apikey", *options.args)
    if options.moderation_command == "train":
        from parvis.moderation.classifier import train

        arguments = [
            *(["--data", str(options.data)] if options.data else []),
            *(["--out", str(options.out)] if options.out else []),
        ]
        return train.main([*arguments, *(["--no-encoder"] if options.no_encoder else [])])
    from parvis.moderation import evaluation

    if not options.data.is_file():
        print(f"parvis: no such file: {options.data}", file=sys.stderr)
        return 2
    try:
        return evaluation.main(options.data, as_json=options.json, limit=options.limit)
    except ValueError as error:  # includes malformed JSON lines
        print(f"parvis: {error}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parvis", description="Self-hosted reader comments for news sites.")
    parser.add_argument("--dev", dest="dev", action="store_true", help="development settings (also PARVIS_MODE=dev)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the production ASGI server (granian)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0, help="server processes (default: PARVIS_WORKERS or cores)")
    serve.add_argument("--no-worker", action="store_true", help="do not start a task worker (run `parvis worker`)")
    serve.add_argument(
        "--no-mailcapture", action="store_true",
        help="development: do not start the capture SMTP server even with PARVIS_EMAIL_CAPTURE_DIR set",
    )  # fmt: skip
    worker = commands.add_parser("worker", help="run background tasks (second opinions, site models, surges)")
    worker.add_argument("--interval", type=float, default=0.5, help="seconds between polls of the task table")

    commands.add_parser("migrate", help="create or update the database tables")
    demo = commands.add_parser("demo", help="create the demo site and its seeded French article thread")
    demo.add_argument("--reset", action="store_true", help="delete and re-seed the demo thread")
    commands.add_parser("createsuperuser", help="create an administrator for /admin/")
    check = commands.add_parser("check", help="check the configuration")
    check.add_argument("--deploy", action="store_true", help="also run the production checks")

    site = commands.add_parser("site", help="manage sites (publishers)")
    site_commands = site.add_subparsers(dest="site_command", required=True)
    create = site_commands.add_parser("create", help="add a site")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--origin", action="append", default=[], help="allowed origin, repeatable")
    create.add_argument("--language", default="fr")
    create.add_argument("--moderation", choices=["pre", "post"], default="post")
    site_commands.add_parser("list", help="list sites")

    moderation = commands.add_parser("moderation", help="evaluate or retrain the moderation models")
    moderation_commands = moderation.add_subparsers(dest="moderation_command", required=True)
    evaluate = moderation_commands.add_parser("eval", help="score a labelled .jsonl file with the full pipeline")
    evaluate.add_argument("--data", type=Path, required=True, help="records as in the shared moderation data")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    evaluate.add_argument("--limit", type=int, default=None, help="only the first N records")
    train = moderation_commands.add_parser("train", help="rebuild the shipped weights from the training data")
    train.add_argument("--data", type=Path, default=None, help="train.jsonl (default: ../shared/data/moderation)")
    train.add_argument("--out", type=Path, default=None, help="weights directory (default: the package's)")
    train.add_argument("--no-encoder", action="store_true", help="train the synchronous stage only")
    for name, summary in (
        ("models", "list a site's own model versions"),
        ("learn", "train a site's model on its moderators' new decisions now"),
        ("rollback", "put a site's previous model version back (or --to N)"),
    ):
        command = moderation_commands.add_parser(name, help=summary)
        command.add_argument("--site", required=True, help="the site's slug")
        if name == "rollback":
            command.add_argument("--to", type=int, default=None, help="this version instead of the previous one")
    policy = moderation_commands.add_parser(
        "policy", help="show a site's policy, or save a JSON file as its next version"
    )
    policy.add_argument("--site", required=True, help="the site's slug")
    policy.add_argument("--file", type=Path, default=None, help="a JSON policy (partial: the rest keeps its defaults)")
    policy.add_argument("--note", default="", help="why, for the audit log")
    apikey = moderation_commands.add_parser("apikey", help="keys for the Perspective-compatible endpoint")
    apikey.add_argument("args", nargs=argparse.REMAINDER, help="create --site S --label L | list --site S | revoke P")

    erase = commands.add_parser("privacy_erase", help="erase what an email address left on a site")
    erase.add_argument("--site", required=True, help="the site's slug")
    erase.add_argument("--email", required=True, help="the reader's email address")
    from parvis.importers.cli import add_commands

    add_commands(commands)

    manage = commands.add_parser("manage", help="any Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    options.mode = "dev" if options.dev or os.environ.get("PARVIS_MODE") == "dev" else "production"
    from django.core.exceptions import ImproperlyConfigured

    try:
        _setup(options.mode)
    except ImproperlyConfigured as error:
        print(f"parvis: configuration error: {error}", file=sys.stderr)
        print("parvis: refusing to start; fix the configuration above.", file=sys.stderr)
        return 2
    if options.command == "serve":
        return _serve(options)
    if options.command == "worker":
        return _worker(options)
    if options.command == "migrate":
        return _call("migrate", "--noinput")
    if options.command == "demo":
        return _call("demo", *(["--reset"] if options.reset else []))
    if options.command == "createsuperuser":
        return _call("createsuperuser")
    if options.command == "check":
        return _call("check", *(["--deploy", "--fail-level", "ERROR"] if options.deploy else []))
    if options.command == "site":
        if options.site_command == "list":
            return _call("site", "list")
        extra = [f"--origin={origin}" for origin in options.origin]
        return _call(
            "site",
            "create",
            options.slug,
            f"--name={options.name}",
            f"--language={options.language}",
            f"--moderation={options.moderation}",
            *extra,
        )
    if options.command == "moderation":
        return _moderation(options)
    if options.command == "privacy_erase":
        return _call("privacy_erase", f"--site={options.site}", f"--email={options.email}")
    if options.command in ("import", "export"):
        from parvis.importers.cli import run_export, run_import

        return run_import(options) if options.command == "import" else run_export(options)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parvis", *options.args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
