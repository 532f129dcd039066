"""Run this project's Python as user ``nobody``, wherever the checkout and its venv live.

A service account cannot always read the test venv (a per-user pyenv under /root) or the checkout
(CI may clone into a private folder). Where ``nobody`` can import the project as it is, it runs the
system interpreter of the same Python version on the venv's packages. Otherwise the command runs
in a private mount namespace (``unshare --mount``) where the venv's packages and the checkout are
bind-mounted under a world-readable temporary folder: a bind mount is reached without traversing
the private parents, and the host's mounts are never touched.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

SETPRIV = shutil.which("setpriv")
UNSHARE = shutil.which("unshare")
NOBODY = [SETPRIV or "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
SYSTEM_PYTHON = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
PROBE = "import pyoxigraph, starlette, liuzhou_kg.cli"
BIND = 'mount --bind "$1" "$2" && mount --bind "$3" "$4" && shift 4 && exec "$@"'


def _works(command: list[str], env: dict) -> bool:
    probe = subprocess.run(command + ["-c", PROBE], env=env, cwd="/tmp", capture_output=True,
                           timeout=120)
    return probe.returncode == 0


def nobody_python(workdir: Path | None = None) -> tuple[list[str], dict]:
    """The command (ending with the interpreter) and environment that run this project's Python
    as ``nobody``. ``workdir`` (a world-readable folder, made when None) holds the mount points.

    Raises RuntimeError, naming what is missing, when neither way works: a test must not skip
    silently over an unprivileged run."""
    if SETPRIV is None or UNSHARE is None:
        raise RuntimeError("setpriv and unshare (util-linux) are needed to run as nobody")
    purelib = sysconfig.get_paths()["purelib"]
    python = str(SYSTEM_PYTHON if SYSTEM_PYTHON.exists() else sys.executable)
    env = {**os.environ, "HOME": "/tmp", "PYTHONPATH": os.pathsep.join([purelib, str(REPO)])}
    direct = NOBODY + [python]
    if _works(direct, env):
        return direct, env
    if not SYSTEM_PYTHON.exists():
        raise RuntimeError(f"{sys.executable} is not executable by nobody and there is no "
                           f"{SYSTEM_PYTHON} to use instead")
    workdir = Path(workdir or tempfile.mkdtemp(prefix="liuzhou-kg-nobody-", dir="/tmp"))
    workdir.chmod(0o755)
    site, repo = workdir / "site", workdir / "repo"
    for mount_point in (site, repo):
        mount_point.mkdir(exist_ok=True)
        mount_point.chmod(0o755)
    bound = [UNSHARE, "--mount", "--propagation", "private", "sh", "-c", BIND, "sh",
             purelib, str(site), str(REPO), str(repo)] + NOBODY + [str(SYSTEM_PYTHON)]
    env = {**env, "PYTHONPATH": os.pathsep.join([str(site), str(repo)])}
    if _works(bound, env):
        return bound, env
    raise RuntimeError("user nobody cannot run this project's Python, directly or through bind "
                       "mounts of the venv and the checkout")
