"""Django's cache (django-redis) on a Redis Cluster: the connection factory hands out
the same slot-routing client as twitter.redis. The platform keeps its own data in Redis
through twitter.redis; the Django cache holds single keys only, which a cluster serves."""

from typing import Any

from django_redis.pool import ConnectionFactory  # type: ignore[import-untyped]

from twitter.redis import connect


class ClusterConnectionFactory(ConnectionFactory):
    def connect(self, url: str) -> Any:
        return connect(
            url,
            socket_timeout=self.options.get("SOCKET_TIMEOUT"),
            socket_connect_timeout=self.options.get("SOCKET_CONNECT_TIMEOUT"),
        )

    def disconnect(self, connection: Any) -> None:
        connection.close()
