"""Local orchestration for `make run`, `make test` and the tests themselves.

Starts what the machine lacks (a Postgres primary with a streaming replica, embedded
Postgres/Redis, nginx, the API servers) and stops by PID everything it started.
Never imported by the platform's own code.
"""
