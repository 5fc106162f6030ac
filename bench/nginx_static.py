"""The static baseline: Debian's nginx serving the 200-comment thread's response bytes from a file.

nginx runs on a loopback port with its own configuration, pid file and temporary directories in the
harness's work directory (never the system service), one worker process per core, no access log: the
fastest a server on this machine can answer that many bytes, against which the thread read is compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from processes import Server, free_port

_CONFIG = """worker_processes {workers};
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {work}/www;
        location / {{ default_type application/json; }}
    }}
}}
"""


def available() -> bool:
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


def static_server(work: Path, thread_bytes: bytes, workers: int) -> Server:
    """A Server (not started) answering GET /thread.json with `thread_bytes`. `work`'s parents must be
    traversable by everyone (a directory under /tmp is)."""
    (work / "www").mkdir(parents=True, exist_ok=True)
    (work / "tmp").mkdir(exist_ok=True)
    (work / "www" / "thread.json").write_bytes(thread_bytes)
    # nginx's workers run as an unprivileged user: they must be able to read the file and its directories.
    for path in (work, work / "www", work / "www" / "thread.json"):
        path.chmod(0o755)
    port = free_port()
    config = work / "nginx.conf"
    config.write_text(_CONFIG.format(workers=workers, work=work, port=port))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return Server(
        "nginx",
        [binary, "-c", str(config), "-p", str(work)],
        port=port,
        log=work / "nginx.out",
        ready_path="/thread.json",
    )
