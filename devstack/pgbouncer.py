"""PgBouncer in transaction mode in front of a Postgres, for the test that runs the APIs
through it (Debian's pgbouncer package, installed when missing, as nginx is)."""

import shutil
import tempfile
from pathlib import Path

from devstack.debian import debian_binary
from devstack.postgres import server_user
from devstack.procs import Process, free_port


def pgbouncer_binary(*, install: bool = True) -> str:
    return debian_binary("pgbouncer", "pgbouncer", install=install)


class PgBouncer:
    """PgBouncer on a spare port, transaction pooling, every database of host:port; trust
    authentication, as the test servers use. Its files live in a directory of its own
    that the server's user can reach (a test's tmp_path cannot be)."""

    def __init__(self, *, host: str, port: int, pool_size: int = 20) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="twitter-pgbouncer-"))
        self.work.chmod(0o755)
        self.port = free_port()
        (self.work / "userlist.txt").write_text('"postgres" ""\n')
        (self.work / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.work / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\nmax_client_conn = 1000\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.work / 'pgbouncer.log'}\npidfile = {self.work / 'pgbouncer.pid'}\n"
        )
        user = server_user()
        if user:
            for path in (self.work, *self.work.iterdir()):
                shutil.chown(path, user)
        self.process = Process(
            "pgbouncer",
            [pgbouncer_binary(), str(self.work / "pgbouncer.ini")],
            log_path=self.work / "out.log",
            user=user,
        )
        self.process.wait_for_port(self.port)

    def stop(self) -> None:
        self.process.stop()
        shutil.rmtree(self.work, ignore_errors=True)
