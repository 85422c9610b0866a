"""The whole public API in one URLconf, for the OpenAPI schema only (never served).

The gateway splits one API across processes: GET/HEAD to the read-API, the rest to the
write-API, Server-Sent Events to the streaming process. Clients see one API, so both
APIs serve one schema made from every route of all three (streaming's are added by
`twitter.api.schema.add_streaming`: they are not DRF views).
"""

from config import urls_read, urls_write

urlpatterns = [*urls_write.urlpatterns, *urls_read.urlpatterns]
