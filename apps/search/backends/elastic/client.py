"""The cluster connection, configured by django-elasticsearch-dsl from the
ELASTICSEARCH_DSL setting (URL, request timeout, no retries)."""

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.dsl.connections import connections

# What a failed or timed-out call raises: the cluster answered with an error, or not at all.
CLUSTER_ERRORS = (ApiError, TransportError)


def client() -> Elasticsearch:
    return connections.get_connection()
