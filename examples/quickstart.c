/*
 * quickstart.c: log in to an Atlas App Services app, run GraphQL queries, keep the session.
 *
 *   cc -std=c99 -Iinclude examples/quickstart.c -Ltarget/release -lrealm_client -o quickstart
 *   REALM_BASE_URL=http://127.0.0.1:9090 ./quickstart      (make demo does all of this)
 *
 * Every fallible call returns a realm_status (REALM_OK is 0). Strings the library returns are
 * ours: release them with realm_string_free(). Handles are released with realm_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm_client.h"

#define APP_ID "demo-abcde"

/* Prints why a call failed. The detail is per thread: read it right after the failing call. */
static int report(const char *what, realm_status status)
{
    fprintf(stderr, "%s failed: %s (%d): %s [HTTP %d, server code \"%s\"]\n", what,
            realm_status_name(status), (int)status, realm_last_error_message(),
            (int)realm_last_error_http_status(), realm_last_error_server_code());
    return EXIT_FAILURE;
}

/* Runs one GraphQL operation and prints the response envelope ({"data": ..., "errors": ...}). */
static realm_status query(realm_client *client, const char *gql, const char *variables_json,
                          const char *operation_name)
{
    char *response = NULL;
    realm_status status = realm_graphql(client, gql, variables_json, operation_name, &response);
    if (status == REALM_OK) {
        printf("%s\n", response);
        realm_string_free(response);
    }
    return status;
}

int main(void)
{
    const char *base_url = getenv("REALM_BASE_URL");
    char options[512];
    realm_client *client = NULL;
    realm_client *restored = NULL;
    char *user_id = NULL;
    char *user_json = NULL;
    char *session = NULL;
    realm_status status;
    int rc = EXIT_FAILURE;

    if (base_url == NULL || base_url[0] == '\0')
        base_url = "http://127.0.0.1:9090";
    /* The URL goes into a JSON string: keep this simple example away from characters to escape. */
    if (strpbrk(base_url, "\"\\") != NULL ||
        snprintf(options, sizeof options, "{\"base_url\": \"%s\"}", base_url) >= (int)sizeof options) {
        fprintf(stderr, "REALM_BASE_URL is not a plain URL: %s\n", base_url);
        return EXIT_FAILURE;
    }

    /* 1. A client for the app. No network I/O happens here. */
    status = realm_client_new(APP_ID, options, &client);
    if (status != REALM_OK)
        return report("realm_client_new", status);

    /* 2. Log in with email and password. */
    status = realm_login_email_password(client, "demo@example.com", "demo-password");
    if (status != REALM_OK) {
        rc = report("realm_login_email_password", status);
        goto done;
    }

    /* 3. A GraphQL query. GraphQL errors come back in the envelope; they are not failures. */
    printf("Movies:\n");
    status = query(client, "{ movies(sortBy: YEAR_ASC) { title year } }", NULL, NULL);
    if (status != REALM_OK) {
        rc = report("realm_graphql", status);
        goto done;
    }

    /* 4. Requests refresh the access token on their own; realm_refresh does it right now. */
    status = realm_refresh(client);
    if (status != REALM_OK) {
        rc = report("realm_refresh", status);
        goto done;
    }

    /* 5. A query with variables (a JSON object) and an operation name. */
    printf("Movies from 2001 on:\n");
    status = query(client,
                   "query MoviesSince($year: Int!) {"
                   "  movies(query: {year_gte: $year}, sortBy: TITLE_ASC) { title year }"
                   "}",
                   "{\"year\": 2001}", "MoviesSince");
    if (status != REALM_OK) {
        rc = report("realm_graphql", status);
        goto done;
    }

    /* 6. Who is logged in. */
    status = realm_user_id(client, &user_id);
    if (status != REALM_OK) {
        rc = report("realm_user_id", status);
        goto done;
    }
    status = realm_user_json(client, &user_json);
    if (status != REALM_OK) {
        rc = report("realm_user_json", status);
        goto done;
    }
    printf("User id: %s\nUser: %s\n", user_id, user_json);

    /* 7. Keep the session (a secret: store it in the platform's keychain) and restore it later,
     *    here into a second client. The restored client refreshes its token on first use. */
    status = realm_session_export(client, &session);
    if (status != REALM_OK) {
        rc = report("realm_session_export", status);
        goto done;
    }
    status = realm_client_new(APP_ID, options, &restored);
    if (status != REALM_OK) {
        rc = report("realm_client_new", status);
        goto done;
    }
    status = realm_session_restore(restored, session);
    if (status != REALM_OK) {
        rc = report("realm_session_restore", status);
        goto done;
    }
    printf("Restored session, first movie by title:\n");
    status = query(restored, "{ movies(limit: 1, sortBy: TITLE_ASC) { title year } }", NULL, NULL);
    if (status != REALM_OK) {
        rc = report("realm_graphql (restored session)", status);
        goto done;
    }

    /* 8. Log out: ends the session on the server (for both clients: they share it). */
    status = realm_logout(client);
    if (status != REALM_OK) {
        rc = report("realm_logout", status);
        goto done;
    }
    printf("Logged out.\n");
    rc = EXIT_SUCCESS;

done:
    /* NULL is a no-op for both free functions, so cleanup needs no checks. */
    realm_string_free(session);
    realm_string_free(user_json);
    realm_string_free(user_id);
    realm_free(restored);
    realm_free(client);
    return rc;
}
