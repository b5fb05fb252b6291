"""The exception tree. Everything the client raises is a ``PlaneError``.

::

    PlaneError
    ├── PlaneValueError (also ValueError)   refused before any request: bad id, per_page,
    │   │                                   cursor, field name, key, URL
    │   └── UnknownFieldError               a fields/expand name the model does not know
    ├── ClientClosedError                   the AsyncPlane was closed
    ├── WaitBudgetExceededError (also TimeoutError)  the call's ``wait_budget`` ran out
    │                                       (``retry_after``: seconds until a slot frees)
    ├── LimiterUnavailableError             the shared rate limiter's store (Redis) failed
    ├── FieldError (also AttributeError)    reading a model attribute failed
    │   ├── FieldNotRequestedError          the item was fetched without that field
    │   ├── FieldNotExpandedError           ``*_detail`` of a relation read without expand=
    │   └── FieldValueError                 the server sent a value of an unexpected shape
    ├── PaginationError                     a paged read cannot go on safely
    │   └── PaginationStalledError          the server returned the same page/cursor again
    ├── TransportError                      network fault: no usable HTTP response
    │   └── RequestTimeoutError
    ├── WebhookVerificationError            a webhook's signature is missing or wrong
    ├── WebhookPayloadError (also ValueError)  a webhook body that is not a Plane delivery
    ├── StorageError                        the file storage (S3, MinIO) refused an upload
    │   │                                   or a download
    │   ├── UploadTooLargeError             the file exceeds the server's upload limit
    │   └── DownloadTooLargeError           the file exceeds the download's ``max_bytes``
    └── APIError                            the server answered with an error status
        ├── BadRequestError          400
        ├── AuthenticationError      401 (missing key)
        ├── PermissionDeniedError    403
        │   └── InvalidAPIKeyError   403 whose body says the key is invalid or expired
        ├── NotFoundError            404
        ├── ConflictError            409 (``existing_id``)
        ├── RateLimitError           429 (``retry_after``)
        ├── ServerError              5xx
        └── ResponseDecodeError      a body that is not the JSON it claims to be
            └── ResponseTooLargeError  a body larger than ``max_response_bytes``

No exception ever carries the API key: requests are described by method and URL only,
and headers are copied from the *response*.

This package imports nothing else of plane_async: every other module may import it.
``base`` holds the root and the cursor an error resumes from (they refer to each other),
``client`` what the client refuses or meets on its own side, ``api`` the server's error
answers, ``storage`` the file storage's.
"""

from .api import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorResponse,
    InvalidAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    parse_retry_after,
    reworded,
)
from .base import Cursor, LastKey, PlaneError, PlaneValueError
from .client import (
    ClientClosedError,
    FieldError,
    FieldNotExpandedError,
    FieldNotRequestedError,
    FieldValueError,
    LimiterUnavailableError,
    PaginationError,
    PaginationStalledError,
    RequestTimeoutError,
    TransportError,
    UnknownFieldError,
    WaitBudgetExceededError,
)
from .storage import DownloadTooLargeError, StorageError, UploadTooLargeError
from .webhooks import WebhookPayloadError, WebhookVerificationError

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "Cursor",
    "DownloadTooLargeError",
    "ErrorResponse",
    "FieldError",
    "FieldNotExpandedError",
    "FieldNotRequestedError",
    "FieldValueError",
    "InvalidAPIKeyError",
    "LastKey",
    "LimiterUnavailableError",
    "NotFoundError",
    "PaginationError",
    "PaginationStalledError",
    "PermissionDeniedError",
    "PlaneError",
    "PlaneValueError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "StorageError",
    "TransportError",
    "UnknownFieldError",
    "UploadTooLargeError",
    "WaitBudgetExceededError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "parse_retry_after",
    "reworded",
]
