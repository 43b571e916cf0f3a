"""realm_client: a Python (ctypes) binding of realm-client, a client for the Atlas App Services
(MongoDB Realm) Client HTTP API: login, token refresh, GraphQL, admin token verification.

    from realm_client import Client

    with Client("myapp-abcde", base_url="http://127.0.0.1:8080") as client:
        client.login_email_password("demo@example.com", "demo-password")
        print(client.graphql("{ movies(limit: 3) { title } }")["data"])

The shared library (librealm_client.so) is found as :func:`find_library` describes: an
explicit path, then $REALM_CLIENT_LIBRARY, then a copy next to this package, then the build
output of the realm-client repo that holds the package. It is loaded on first use (or by
:func:`load_library`), and refused when its ABI version is not :data:`ABI_VERSION`.
"""

from ._client import AdminClient, Client, library_version, raise_for_graphql_errors, status_name
from ._ffi import ABI_VERSION, ENV_VAR, EXPORTS, Library, find_library, load_library
from ._status import Status
from .errors import (
    ERROR_CLASSES,
    AbiMismatchError,
    ClientClosedError,
    ForbiddenError,
    GraphQLError,
    HttpError,
    InternalError,
    InvalidArgumentError,
    InvalidCredentialsError,
    InvalidTokenError,
    LibraryError,
    LibraryNotFoundError,
    LoginRequiredError,
    NetworkError,
    NotFoundError,
    NotLoggedInError,
    PanicError,
    ProtocolError,
    RateLimitedError,
    RealmError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    SessionExpiredError,
    TlsError,
    TokenExpiredError,
    TokenVerificationError,
)

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "ENV_VAR",
    "EXPORTS",
    "ERROR_CLASSES",
    "AbiMismatchError",
    "AdminClient",
    "Client",
    "ClientClosedError",
    "ForbiddenError",
    "GraphQLError",
    "HttpError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidCredentialsError",
    "InvalidTokenError",
    "Library",
    "LibraryError",
    "LibraryNotFoundError",
    "LoginRequiredError",
    "NetworkError",
    "NotFoundError",
    "NotLoggedInError",
    "PanicError",
    "ProtocolError",
    "RateLimitedError",
    "RealmError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "SessionExpiredError",
    "Status",
    "TlsError",
    "TokenExpiredError",
    "TokenVerificationError",
    "find_library",
    "library_version",
    "load_library",
    "raise_for_graphql_errors",
    "status_name",
]
