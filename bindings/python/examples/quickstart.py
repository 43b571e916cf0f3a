#!/usr/bin/env python3
"""quickstart.py: log in to an Atlas App Services app, run GraphQL queries, keep the session.
The same program as examples/quickstart.c, with the Python binding.

    pip install bindings/python
    REALM_BASE_URL=http://127.0.0.1:9090 python3 bindings/python/examples/quickstart.py

or, from the repo root after `make build`, against the emulator:

    tests/with-emulator.sh target/release/realm-emulator \\
        bindings/python/.venv/bin/python bindings/python/examples/quickstart.py

Failures raise realm_client.RealmError subclasses that carry the status, message, HTTP status
and server error code. Clients are released when their `with` block ends.
"""

import json
import os
import sys

import realm_client
from realm_client import Client

APP_ID = "demo-abcde"


def show(envelope):
    """Prints a GraphQL response envelope ({"data": ..., "errors": ...})."""
    print(json.dumps(envelope, ensure_ascii=False))


def main() -> int:
    base_url = os.environ.get("REALM_BASE_URL") or "http://127.0.0.1:9090"

    # 1. A client for the app. No network I/O happens here.
    with Client(APP_ID, base_url=base_url) as client:
        # 2. Log in with email and password.
        client.login_email_password("demo@example.com", "demo-password")

        # 3. A GraphQL query. GraphQL errors come back in the envelope; they are not failures
        #    (pass raise_on_errors=True to get a realm_client.GraphQLError instead).
        print("Movies:")
        show(client.graphql("{ movies(sortBy: YEAR_ASC) { title year } }"))

        # 4. Requests refresh the access token on their own; refresh() does it right now.
        client.refresh()

        # 5. A query with variables and an operation name.
        print("Movies from 2001 on:")
        show(
            client.graphql(
                "query MoviesSince($year: Int!) {"
                "  movies(query: {year_gte: $year}, sortBy: TITLE_ASC) { title year }"
                "}",
                variables={"year": 2001},
                operation_name="MoviesSince",
            )
        )

        # 6. Who is logged in.
        print(f"User id: {client.user_id()}")
        print(f"User: {json.dumps(client.user_info(), ensure_ascii=False)}")

        # 7. Keep the session (a secret: store it in the platform's keychain) and restore it
        #    later, here into a second client. The restored client refreshes its token on
        #    first use.
        session = client.export_session()
        with Client(APP_ID, base_url=base_url) as restored:
            restored.restore_session(session)
            print("Restored session, first movie by title:")
            show(restored.graphql("{ movies(limit: 1, sortBy: TITLE_ASC) { title year } }"))

        # 8. Log out: ends the session on the server (for both clients: they share it).
        client.logout()
        print("Logged out.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except realm_client.RealmError as e:
        print(
            f"failed: {e.status_name} ({e.status}): {e.message} "
            f'[HTTP {e.http_status}, server code "{e.server_code}"]',
            file=sys.stderr,
        )
        sys.exit(1)
