"""`make run`'s process supervisor: supervisord runs each Procfile process and restarts
one that crashes, instead of stopping the stack.

Each program's output reaches the console with its name in front (as `name | line`),
through a line prefixer that ignores Ctrl-C and SIGTERM and so lets the program log its
own shutdown. `supervisorctl -c <DATA_DIR>/supervisord.conf status` shows the processes.
"""

import shlex
import signal
import sys
from pathlib import Path

CONF_NAME = "supervisord.conf"
# Seconds a program gets to stop (a worker finishes its running tasks) before SIGKILL.
STOP_WAIT_SECONDS = 30


def procfile(path: Path) -> dict[str, str]:
    """The Procfile's processes: name -> shell command (with $VARIABLES)."""
    entries = (line.split(":", 1) for line in path.read_text().splitlines() if ":" in line and line[0] != "#")
    return {name.strip(): command.strip() for name, command in entries}


def _program(name: str, command: str, width: int) -> str:
    prefix = f"{name:<{width}} | "
    shell = f"{command} 2>&1 | {shlex.quote(sys.executable)} -m devstack.supervise {shlex.quote(prefix)}"
    return (
        f"[program:{name}]\n"
        f"command=/bin/sh -c {shlex.quote(shell)}\n"
        "autorestart=true\n"
        "startsecs=2\n"
        "startretries=10\n"
        "stopasgroup=true\n"
        "killasgroup=true\n"
        f"stopwaitsecs={STOP_WAIT_SECONDS}\n"
        "redirect_stderr=true\n"
        "stdout_logfile=/dev/stdout\n"
        "stdout_logfile_maxbytes=0\n"
    )


def write_config(procfile_path: Path, data_dir: Path, cwd: Path) -> Path:
    """supervisord's configuration for the Procfile's processes, in the data folder. The
    programs inherit supervisord's environment (where the Procfile's variables are)."""
    programs = procfile(procfile_path)
    width = max(len(name) for name in programs)
    socket = data_dir / "supervisor.sock"
    conf = data_dir / CONF_NAME
    conf.write_text(
        "[supervisord]\n"
        "nodaemon=true\n"
        f"logfile={data_dir / 'supervisord.log'}\n"
        f"pidfile={data_dir / 'supervisord.pid'}\n"
        f"directory={cwd}\n"
        "silent=false\n\n"
        f"[unix_http_server]\nfile={socket}\nchmod=0700\n\n"
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        f"[supervisorctl]\nserverurl=unix://{socket}\n\n"
        + "\n".join(_program(name, command.replace("%", "%%"), width) for name, command in programs.items())
    )
    return conf


def supervisord_argv(conf: Path) -> list[str]:
    return [sys.executable, "-m", "supervisor.supervisord", "-c", str(conf)]


def supervisorctl_argv(conf: Path, *command: str) -> list[str]:
    return [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(conf), *command]


def _prefix_lines(prefix: str) -> None:
    """Copy stdin to stdout, each line prefixed, until the program's output ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = sys.stdout.buffer
    head = prefix.encode()
    for line in sys.stdin.buffer:
        out.write(head + line)
        out.flush()


if __name__ == "__main__":
    _prefix_lines(sys.argv[1])
