"""promtool (Prometheus' rule checker), for the alert-rule checks in `make test`: the one on
PATH, else the one kept in the virtualenv, else taken out of Debian's `prometheus` package
(downloaded, unpacked, never installed: the package would also set up a server)."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KEPT = Path(sys.executable).parent / "promtool"


def promtool_binary() -> str:
    found = os.environ.get("PROMTOOL_BIN") or shutil.which("promtool")
    if found:
        return found
    if os.access(KEPT, os.X_OK):
        return str(KEPT)
    if not shutil.which("apt-get"):
        raise RuntimeError("promtool is missing: install Prometheus (Debian: the prometheus package) and try again")
    print("devstack: fetching promtool (Debian package prometheus)...", flush=True)
    with tempfile.TemporaryDirectory() as work:
        fetched = subprocess.run(["apt-get", "download", "prometheus"], cwd=work, capture_output=True, text=True)
        if fetched.returncode != 0 and os.geteuid() == 0:  # the package lists may be missing
            subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
            fetched = subprocess.run(["apt-get", "download", "prometheus"], cwd=work, capture_output=True, text=True)
        debs = list(Path(work).glob("prometheus_*.deb"))
        if not debs:
            raise RuntimeError(f"promtool could not be fetched: {fetched.stderr.strip()}")
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(Path(work) / "x")], check=True)
        shutil.copy2(Path(work) / "x" / "usr" / "bin" / "promtool", KEPT)
    return str(KEPT)
