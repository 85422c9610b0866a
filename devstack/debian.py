"""Tools the harness needs, from Debian's packages: found on PATH or in /usr/sbin, else
installed (as root, with apt-get) when allowed."""

import os
import shutil
import subprocess


def debian_binary(name: str, package: str, *, install: bool = True) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}",) if os.access(p, os.X_OK)), None)
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"devstack: installing {name} (Debian package {package})...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env, stdout=subprocess.DEVNULL)
        found = shutil.which(name) or f"/usr/sbin/{name}"
        if os.access(found, os.X_OK):
            return found
    raise RuntimeError(f"{name} is not installed: install it (e.g. `apt-get install {package}`) and try again")
