/*
 * test_api.c: every export of realm_client.h, against the emulator (REALM_BASE_URL).
 * Argument checks (NULL, invalid UTF-8, malformed JSON, unknown options, freed and forged
 * handles), out-parameters on failure, error detail, each login provider, GraphQL, refresh and
 * expiry, session export/restore, logout, HTTP and transport failures, and the admin handle.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define BAD_UTF8 "\xc3\x28 not utf-8 \xff"
#define MOVIES_QUERY "{ movies(sortBy: YEAR_ASC) { title year } }"
#define EMAIL_CREDS "{\"username\": \"" DEMO_EMAIL "\", \"password\": \"" DEMO_PASSWORD "\"}"

static char *admin_options(const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"base_url\": \"%s\", \"public_api_key\": \"" ADMIN_PUBLIC "\", "
             "\"private_api_key\": \"" ADMIN_PRIVATE "\", \"group_id\": \"" ADMIN_GROUP "\", "
             "\"app_id\": \"" ADMIN_APP "\"%s}",
             emu_base_url(), extra ? extra : "");
    return buf;
}

/* The GraphQL call must fail with `status` and leave *out NULL. */
#define CHECK_GQL_FAILS(client, query, vars, op, status)                          \
    do {                                                                          \
        char *out_ = SENTINEL;                                                    \
        CHECK_STATUS(realm_graphql((client), (query), (vars), (op), &out_), (status)); \
        CHECK_MSG(out_ == NULL, "graphql out_json is NULL after failure (got %p)", (void *)out_); \
        if (out_ != SENTINEL)                                                     \
            realm_string_free(out_);                                              \
    } while (0)

static void test_initial_detail(void)
{
    t_section("error detail before any call");
    CHECK_NO_ERROR();
}

static void test_versions(void)
{
    const char *v1 = realm_client_version(), *v2 = realm_client_version();
    t_section("versions");
    CHECK_STR(v1, REALM_CLIENT_VERSION);
    CHECK(v1 == v2);
    CHECK_INT(realm_client_abi_version(), REALM_CLIENT_ABI_VERSION);
    CHECK_INT(REALM_CLIENT_ABI_VERSION, 1);
}

static void test_status_names(void)
{
    static const struct {
        int code;
        const char *name;
    } table[] = {
        {REALM_OK, "OK"},
        {REALM_ERR_INVALID_ARGUMENT, "INVALID_ARGUMENT"},
        {REALM_ERR_PANIC, "PANIC"},
        {REALM_ERR_NOT_LOGGED_IN, "NOT_LOGGED_IN"},
        {REALM_ERR_INVALID_CREDENTIALS, "INVALID_CREDENTIALS"},
        {REALM_ERR_SESSION_EXPIRED, "SESSION_EXPIRED"},
        {REALM_ERR_FORBIDDEN, "FORBIDDEN"},
        {REALM_ERR_INVALID_TOKEN, "INVALID_TOKEN"},
        {REALM_ERR_TOKEN_EXPIRED, "TOKEN_EXPIRED"},
        {REALM_ERR_NOT_FOUND, "NOT_FOUND"},
        {REALM_ERR_RATE_LIMITED, "RATE_LIMITED"},
        {REALM_ERR_HTTP, "HTTP"},
        {REALM_ERR_SERVER, "SERVER"},
        {REALM_ERR_NETWORK, "NETWORK"},
        {REALM_ERR_TIMEOUT, "TIMEOUT"},
        {REALM_ERR_TLS, "TLS"},
        {REALM_ERR_PROTOCOL, "PROTOCOL"},
        {REALM_ERR_RESPONSE_TOO_LARGE, "RESPONSE_TOO_LARGE"},
        {REALM_ERR_INTERNAL, "INTERNAL"},
    };
    static const int unknown[] = {-1, 3, 9, 16, 19, 24, 29, 35, 98, 100, 1000, INT32_MIN, INT32_MAX};
    size_t i;
    int code, known = 0;
    t_section("status names");
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        CHECK_STR(realm_status_name(table[i].code), table[i].name);
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_STR(realm_status_name(unknown[i]), "UNKNOWN");
    /* Exactly the 19 codes of the header have names in 0..199. */
    for (code = 0; code < 200; code++)
        known += strcmp(realm_status_name(code), "UNKNOWN") != 0;
    CHECK_INT(known, 19);
    /* Static: the same pointer every time. */
    CHECK(realm_status_name(REALM_ERR_HTTP) == realm_status_name(REALM_ERR_HTTP));
}

static void test_client_new_args(void)
{
    realm_client *c = SENTINEL;
    static const char *bad_ids[] = {"", "demo abcde", "demo/abcde", "demo.abcde", "demo%2Fx",
                                    "d\xc3\xabmo", "demo\nx", "../demo"};
    char long_id[130];
    size_t i;

    t_section("realm_client_new arguments");
    emu_clear_log();
    CHECK_ERROR(realm_client_new(APP_ID, NULL, NULL), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_ERROR(realm_client_new(NULL, NULL, &c), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(c == NULL);
    c = SENTINEL;
    CHECK_ERROR(realm_client_new(BAD_UTF8, NULL, &c), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(c == NULL);
    for (i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        c = SENTINEL;
        CHECK_ERROR(realm_client_new(bad_ids[i], NULL, &c), REALM_ERR_INVALID_ARGUMENT, 0, "");
        CHECK_MSG(c == NULL, "out is NULL for app id \"%s\"", bad_ids[i]);
    }
    memset(long_id, 'a', 129);
    long_id[129] = '\0';
    c = SENTINEL;
    CHECK_ERROR(realm_client_new(long_id, NULL, &c), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(c == NULL);
    long_id[128] = '\0'; /* 128 characters is the longest allowed */
    CHECK_STATUS(realm_client_new(long_id, NULL, &c), REALM_OK);
    CHECK(c != NULL && c != SENTINEL);
    CHECK_NO_ERROR();
    realm_free(c);
    /* Allowed characters: A-Z a-z 0-9 - _ */
    c = NULL;
    CHECK_STATUS(realm_client_new("My_App-09", NULL, &c), REALM_OK);
    CHECK(!realm_is_logged_in(c));
    realm_free(c);
    /* NULL and "" options are the defaults (the hosted base URL): still no I/O. */
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, NULL, &c), REALM_OK);
    realm_free(c);
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "", &c), REALM_OK);
    realm_free(c);
    /* realm_client_new does no I/O at all. */
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, emu_options(NULL), &c), REALM_OK);
    CHECK_INT(emu_total(), 0);
    realm_free(c);
}

static void test_options(void)
{
    static const char *bad[] = {
        "{",
        "[1]",
        "\"text\"",
        "null",
        "42",
        "{\"base_url\": \"http://127.0.0.1:1\",}",
        "{\"bogus\": 1}",
        "{\"base_ur\": \"http://127.0.0.1:1\"}",
        "{\"BASE_URL\": \"http://127.0.0.1:1\"}",
        "{\"base_url\": 1}",
        "{\"base_url\": \"http://example.com\"}",
        "{\"base_url\": \"http://10.0.0.1:9090\"}",
        "{\"base_url\": \"ftp://127.0.0.1\"}",
        "{\"base_url\": \"not a url\"}",
        "{\"connect_timeout_ms\": 0}",
        "{\"connect_timeout_ms\": \"5\"}",
        "{\"request_timeout_ms\": -1}",
        "{\"request_timeout_ms\": 1.5}",
        "{\"user_agent\": \"\"}",
        "{\"user_agent\": \"a\\nb\"}",
        "{\"user_agent\": 5}",
        "{\"app_name\": 5}",
        "{\"app_version\": true}",
        "{\"ca_file\": \"/nonexistent/ca.pem\"}",
        "{\"ca_file\": \"/etc/hostname\", \"platform_trust_store\": true}",
        "{\"platform_trust_store\": \"yes\"}",
        "{\"allow_insecure_http\": 1}",
        "{\"max_response_bytes\": 10}",
        "{\"max_redirects\": 21}",
        "{\"max_redirects\": -1}",
        "{\"auto_relogin\": 1}",
        "{\"skip_location\": \"true\"}",
        "{\"app_name\": \"" BAD_UTF8 "\"}",
    };
    char all_keys[1024];
    realm_client *c;
    size_t i;

    t_section("options");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = SENTINEL;
        CHECK_ERROR(realm_client_new(APP_ID, bad[i], &c), REALM_ERR_INVALID_ARGUMENT, 0, "");
        CHECK_MSG(c == NULL, "out is NULL for options %s", bad[i]);
    }
    /* The message names the unknown key. */
    c = SENTINEL;
    realm_client_new(APP_ID, "{\"bogus_key\": 1}", &c);
    CHECK_HAS(realm_last_error_message(), "bogus_key");
    /* Every documented key at once. */
    snprintf(all_keys, sizeof all_keys,
             "{\"base_url\": \"%s\", \"connect_timeout_ms\": 5000, \"request_timeout_ms\": 20000,"
             " \"user_agent\": \"c-tests/1.0\", \"app_name\": \"c-tests\", \"app_version\": \"1.0\","
             " \"ca_file\": null, \"platform_trust_store\": false, \"allow_insecure_http\": false,"
             " \"max_response_bytes\": 1048576, \"max_redirects\": 3, \"auto_relogin\": true,"
             " \"skip_location\": true}",
             emu_base_url());
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, all_keys, &c), REALM_OK);
    realm_free(c);
    /* Plain http to a non-loopback host with the opt-in; localhost and [::1] count as loopback. */
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "{\"base_url\": \"http://example.com\", \"allow_insecure_http\": true}", &c),
                 REALM_OK);
    realm_free(c);
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "{\"base_url\": \"http://localhost:9/\"}", &c), REALM_OK);
    realm_free(c);
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "{\"base_url\": \"http://[::1]:9\"}", &c), REALM_OK);
    realm_free(c);
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "  {\"base_url\": \"https://example.com\"}  ", &c), REALM_OK);
    realm_free(c);

    /* user_agent, app_name and app_version reach the server. */
    emu_clear_log();
    c = logged_in_client(", \"app_name\": \"shop\", \"app_version\": \"2.1\"");
    {
        char *log = emu_log();
        CHECK_HAS(log, "\"user-agent\":\"realm-client/" REALM_CLIENT_VERSION " shop/2.1\"");
        CHECK_HAS(log, "\\\"appVersion\\\":\\\"2.1\\\""); /* inside the logged body */
        free(log);
    }
    realm_free(c);
    emu_clear_log();
    c = logged_in_client(", \"user_agent\": \"custom-agent/7\"");
    {
        char *log = emu_log();
        CHECK_HAS(log, "\"user-agent\":\"custom-agent/7\"");
        free(log);
    }
    realm_free(c);
    /* skip_location: no location request. */
    emu_clear_log();
    c = logged_in_client(", \"skip_location\": true");
    CHECK_INT(emu_count(R_LOCATION), 0);
    CHECK_INT(emu_count(R_LOGIN("local-userpass")), 1);
    realm_free(c);
}

/* Every function that takes a client, on a handle that is not a live client. */
static void check_dead_handle(realm_client *h, const char *what)
{
    char *out;
    long before = emu_total();
    fprintf(stderr, "   (%s)\n", what);
#define DEAD(call) CHECK_ERROR(call, REALM_ERR_INVALID_ARGUMENT, 0, "")
#define DEAD_OUT(call)                                                                  \
    do {                                                                                \
        out = SENTINEL;                                                                 \
        DEAD(call);                                                                     \
        CHECK_MSG(out == NULL, "%s: %s leaves out NULL (got %p)", what, #call, (void *)out); \
    } while (0)
    DEAD(realm_login(h, "local-userpass", EMAIL_CREDS));
    DEAD(realm_login_anonymous(h));
    DEAD(realm_login_email_password(h, DEMO_EMAIL, DEMO_PASSWORD));
    DEAD(realm_login_api_key(h, USER_API_KEY));
    DEAD(realm_login_custom_jwt(h, CUSTOM_JWT));
    DEAD(realm_login_custom_function(h, "{\"username\": \"alice\"}"));
    DEAD(realm_refresh(h));
    DEAD_OUT(realm_graphql(h, MOVIES_QUERY, NULL, NULL, &out));
    DEAD(realm_logout(h));
    DEAD_OUT(realm_user_id(h, &out));
    DEAD_OUT(realm_user_json(h, &out));
    DEAD_OUT(realm_access_token(h, &out));
    DEAD_OUT(realm_session_export(h, &out));
    DEAD(realm_session_restore(h, "{}"));
    CHECK(!realm_is_logged_in(h));
    CHECK_INT(emu_total() - before, 0);
#undef DEAD
#undef DEAD_OUT
}

static void test_bad_handles(void)
{
    realm_client *c = logged_in_client(NULL);
    realm_client *freed = c;
    realm_admin *admin = NULL;
    int on_stack = 0;

    t_section("NULL, freed, forged and foreign handles");
    CHECK(realm_is_logged_in(c));
    realm_free(c);
    check_dead_handle(NULL, "NULL");
    check_dead_handle(freed, "freed");
    check_dead_handle((realm_client *)(uintptr_t)0x12345670u, "forged number");
    check_dead_handle((realm_client *)&on_stack, "address of a stack variable");
    check_dead_handle((realm_client *)(uintptr_t)(~(uintptr_t)0 - 15), "forged near top");
    CHECK_STATUS(realm_admin_new(admin_options(NULL), &admin), REALM_OK);
    check_dead_handle((realm_client *)(void *)admin, "an admin handle used as a client");
    /* The message says what was wrong. */
    realm_logout(freed);
    CHECK_HAS(realm_last_error_message(), "handle");
    realm_login_anonymous(NULL);
    CHECK_HAS(realm_last_error_message(), "NULL");
    /* Double free and freeing NULL or forged handles are no-ops. */
    realm_free(freed);
    realm_free(freed);
    realm_free(NULL);
    realm_free((realm_client *)(uintptr_t)0x12345670u);
    realm_free((realm_client *)(void *)admin); /* not a client: ignored, admin still works */
    {
        char *claims = SENTINEL;
        CHECK_ERROR(realm_admin_verify_token(admin, NULL, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
        CHECK_HAS(realm_last_error_message(), "access_token");
    }
    realm_admin_free(admin);
    /* A handle freed later is not reachable through a new one (ids are never reused). */
    c = new_client(NULL);
    CHECK(c != freed);
    realm_free(c);
    check_dead_handle(c, "freed again");
}

static void test_null_args(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out;
    long before;

    t_section("NULL arguments on a live client");
    before = emu_total();
#define BAD(call) CHECK_ERROR(call, REALM_ERR_INVALID_ARGUMENT, 0, "")
#define BAD_OUT(call)                                                                    \
    do {                                                                                 \
        out = SENTINEL;                                                                  \
        BAD(call);                                                                       \
        CHECK_MSG(out == NULL, "%s leaves out NULL (got %p)", #call, (void *)out);       \
    } while (0)
    BAD(realm_login(c, NULL, EMAIL_CREDS));
    BAD(realm_login(c, "local-userpass", NULL));
    BAD(realm_login(c, NULL, NULL));
    BAD(realm_login_email_password(c, NULL, DEMO_PASSWORD));
    BAD(realm_login_email_password(c, DEMO_EMAIL, NULL));
    BAD(realm_login_api_key(c, NULL));
    BAD(realm_login_custom_jwt(c, NULL));
    BAD(realm_login_custom_function(c, NULL));
    BAD_OUT(realm_graphql(c, NULL, NULL, NULL, &out));
    BAD_OUT(realm_graphql(c, NULL, "{}", "Op", &out));
    BAD(realm_graphql(c, MOVIES_QUERY, NULL, NULL, NULL));
    BAD(realm_user_id(c, NULL));
    BAD(realm_user_json(c, NULL));
    BAD(realm_access_token(c, NULL));
    BAD(realm_session_export(c, NULL));
    BAD(realm_session_restore(c, NULL));
    /* Empty strings are invalid too. */
    BAD(realm_login_email_password(c, "", DEMO_PASSWORD));
    BAD(realm_login_email_password(c, DEMO_EMAIL, ""));
    BAD(realm_login(c, "", EMAIL_CREDS));
    /* None of that sent a request, and the session is still there. */
    CHECK_INT(emu_total() - before, 0);
    CHECK(realm_is_logged_in(c));
    realm_free(c);
}

static void test_invalid_utf8(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out;
    long before = emu_total();

    t_section("invalid UTF-8 arguments");
    BAD(realm_login(c, BAD_UTF8, EMAIL_CREDS));
    BAD(realm_login(c, "local-userpass", "{\"username\": \"" BAD_UTF8 "\", \"password\": \"x\"}"));
    BAD(realm_login_email_password(c, BAD_UTF8, DEMO_PASSWORD));
    BAD(realm_login_email_password(c, DEMO_EMAIL, BAD_UTF8));
    CHECK_HAS(realm_last_error_message(), "UTF-8");
    BAD(realm_login_api_key(c, BAD_UTF8));
    BAD(realm_login_custom_jwt(c, BAD_UTF8));
    BAD(realm_login_custom_function(c, "{\"username\": \"" BAD_UTF8 "\"}"));
    BAD_OUT(realm_graphql(c, "{ movies { title } } " BAD_UTF8, NULL, NULL, &out));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, "{\"x\": \"" BAD_UTF8 "\"}", NULL, &out));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, NULL, BAD_UTF8, &out));
    BAD(realm_session_restore(c, BAD_UTF8));
    CHECK_INT(emu_total() - before, 0);
    CHECK(realm_is_logged_in(c));
    realm_free(c);
}

static void test_malformed_json(void)
{
    realm_client *c = logged_in_client(NULL);
    realm_client *other = NULL;
    char *out, *blob = NULL;
    long before = emu_total();

    t_section("malformed JSON arguments");
    BAD(realm_login(c, "local-userpass", "{"));
    BAD(realm_login(c, "local-userpass", "[]"));
    BAD(realm_login(c, "local-userpass", "\"x\""));
    BAD(realm_login(c, "local-userpass", ""));
    BAD(realm_login(c, "local-userpass", "{\"username\": \"a\", \"password\": \"b\", \"options\": {}}"));
    BAD(realm_login(c, "bad provider name", "{}"));
    BAD(realm_login(c, "../x", "{}"));
    BAD(realm_login_custom_function(c, "{"));
    BAD(realm_login_custom_function(c, "[1, 2]"));
    BAD(realm_login_custom_function(c, ""));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, "{", NULL, &out));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, "[1]", NULL, &out));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, "\"text\"", NULL, &out));
    BAD_OUT(realm_graphql(c, MOVIES_QUERY, "{\"a\": 1} trailing", NULL, &out));
    BAD(realm_session_restore(c, "{"));
    BAD(realm_session_restore(c, "[]"));
    BAD(realm_session_restore(c, "{}"));
    BAD(realm_session_restore(c, ""));
    /* A blob of another version or another app is an invalid argument. */
    CHECK_STATUS(realm_session_export(c, &blob), REALM_OK);
    if (blob) {
        char *v2 = malloc(strlen(blob) + 8);
        const char *at = strstr(blob, "\"v\":1");
        CHECK(at != NULL);
        if (v2 && at) {
            memcpy(v2, blob, (size_t)(at - blob));
            strcpy(v2 + (at - blob), "\"v\":2");
            strcat(v2, at + 5);
            BAD(realm_session_restore(c, v2));
            CHECK_HAS(realm_last_error_message(), "version");
        }
        free(v2);
        CHECK_STATUS(realm_client_new("other-app", emu_options(NULL), &other), REALM_OK);
        BAD(realm_session_restore(other, blob));
        CHECK_HAS(realm_last_error_message(), "demo-abcde");
        CHECK(!realm_is_logged_in(other));
        realm_free(other);
    }
    realm_string_free(blob);
    CHECK_INT(emu_total() - before, 0);
    CHECK(realm_is_logged_in(c));
    realm_free(c);
}

static void test_not_logged_in(void)
{
    realm_client *c = new_client(NULL);
    char *out;

    t_section("not logged in");
    emu_clear_log();
    CHECK(!realm_is_logged_in(c));
#define NLI(call) CHECK_ERROR(call, REALM_ERR_NOT_LOGGED_IN, 0, "")
    NLI(realm_refresh(c));
    out = SENTINEL;
    NLI(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out));
    CHECK(out == NULL);
    out = SENTINEL;
    NLI(realm_user_id(c, &out));
    CHECK(out == NULL);
    out = SENTINEL;
    NLI(realm_user_json(c, &out));
    CHECK(out == NULL);
    out = SENTINEL;
    NLI(realm_access_token(c, &out));
    CHECK(out == NULL);
    out = SENTINEL;
    NLI(realm_session_export(c, &out));
    CHECK(out == NULL);
#undef NLI
    /* Logging out without a session is a success, with no request. */
    CHECK_STATUS(realm_logout(c), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_total(), 0);
    realm_free(c);
    /* Not being logged in is known without I/O, so an unreachable server changes nothing. */
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, "{\"base_url\": \"http://127.0.0.1:1\"}", &c), REALM_OK);
    out = SENTINEL;
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_NOT_LOGGED_IN, 0, "");
    CHECK(out == NULL);
    CHECK_ERROR(realm_refresh(c), REALM_ERR_NOT_LOGGED_IN, 0, "");
    CHECK_STATUS(realm_logout(c), REALM_OK);
    realm_free(c);
}

static void check_user(realm_client *c, const char *user_id, const char *provider)
{
    char *id = NULL, *json = NULL, *token = NULL, *blob = NULL;
    char expect[128];
    CHECK(realm_is_logged_in(c));
    CHECK_STATUS(realm_user_id(c, &id), REALM_OK);
    CHECK_NO_ERROR();
    if (user_id)
        CHECK_STR(id, user_id);
    else
        CHECK(id != NULL && strlen(id) == 24);
    CHECK_STATUS(realm_user_json(c, &json), REALM_OK);
    snprintf(expect, sizeof expect, "\"provider\":\"%s\"", provider);
    CHECK_HAS(json, expect);
    snprintf(expect, sizeof expect, "\"id\":\"%s\"", id ? id : "?");
    CHECK_HAS(json, expect);
    CHECK_HAS(json, "\"claims\":{");
    CHECK_HAS(json, "\"typ\":\"access\"");
    CHECK_HAS(json, "\"access_token_expires_at\":");
    CHECK_STATUS(realm_access_token(c, &token), REALM_OK);
    CHECK(token != NULL && count_of(token, ".") == 2);
    CHECK_STATUS(realm_session_export(c, &blob), REALM_OK);
    CHECK_HAS(blob, "\"v\":1");
    CHECK_HAS(blob, "\"app_id\":\"" APP_ID "\"");
    snprintf(expect, sizeof expect, "\"provider\":\"%s\"", provider);
    CHECK_HAS(blob, expect);
    CHECK_HAS(blob, "\"refresh_token\":\"");
    realm_string_free(id);
    realm_string_free(json);
    realm_string_free(token);
    realm_string_free(blob);
}

static void test_logins(void)
{
    realm_client *c = new_client(NULL);
    char *json = NULL, *first_id = NULL, *second_id = NULL;

    t_section("logins (each provider)");
    emu_clear_log();
    CHECK_STATUS(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_count(R_LOCATION), 1);
    CHECK_INT(emu_count(R_LOGIN("local-userpass")), 1);
    CHECK_INT(emu_count(R_PROFILE), 1);
    CHECK_INT(emu_total(), 3);
    check_user(c, DEMO_USER_ID, "local-userpass");
    CHECK_STATUS(realm_user_json(c, &json), REALM_OK);
    CHECK_HAS(json, "\"email\":\"" DEMO_EMAIL "\"");
    CHECK_HAS(json, "\"custom_data\":{\"favoriteColor\":\"blue\"");
    realm_string_free(json);
    json = NULL;

    /* A second login replaces the session; the location is asked once per client. */
    CHECK_STATUS(realm_login_email_password(c, NONASCII_EMAIL, NONASCII_PASSWORD), REALM_OK);
    check_user(c, NONASCII_USER_ID, "local-userpass");
    CHECK_STATUS(realm_user_json(c, &json), REALM_OK);
    CHECK_HAS(json, "Z\xc3\xbcrich");
    realm_string_free(json);
    json = NULL;
    CHECK_INT(emu_count(R_LOCATION), 1);
    CHECK_INT(emu_count(R_LOGIN("local-userpass")), 2);

    CHECK_STATUS(realm_login(c, "local-userpass", EMAIL_CREDS), REALM_OK);
    check_user(c, DEMO_USER_ID, "local-userpass");

    /* Anonymous: a second anonymous login reuses the user, without a request. */
    emu_clear_log();
    CHECK_STATUS(realm_login_anonymous(c), REALM_OK);
    check_user(c, NULL, "anon-user");
    realm_user_id(c, &first_id);
    CHECK_STATUS(realm_login_anonymous(c), REALM_OK);
    realm_user_id(c, &second_id);
    CHECK(first_id && second_id && strcmp(first_id, second_id) == 0);
    CHECK_INT(emu_count(R_LOGIN("anon-user")), 1);
    realm_string_free(first_id);
    realm_string_free(second_id);
    CHECK_STATUS(realm_login(c, "anon-user", "{}"), REALM_OK);
    CHECK_INT(emu_count(R_LOGIN("anon-user")), 1);

    emu_clear_log();
    CHECK_STATUS(realm_login_api_key(c, USER_API_KEY), REALM_OK);
    check_user(c, DEMO_USER_ID, "api-key");
    CHECK_STATUS(realm_login_api_key(c, SERVER_API_KEY), REALM_OK);
    check_user(c, SERVER_USER_ID, "api-key");
    CHECK_INT(emu_count(R_LOGIN("api-key")), 2);

    CHECK_STATUS(realm_login_custom_jwt(c, CUSTOM_JWT), REALM_OK);
    check_user(c, NULL, "custom-token");
    CHECK_INT(emu_count(R_LOGIN("custom-token")), 1);

    CHECK_STATUS(realm_login_custom_function(c, "{\"username\": \"alice\"}"), REALM_OK);
    check_user(c, NULL, "custom-function");
    realm_user_id(c, &first_id);
    CHECK_STATUS(realm_login(c, "custom-function", "{\"username\": \"alice\"}"), REALM_OK);
    realm_user_id(c, &second_id);
    CHECK(first_id && second_id && strcmp(first_id, second_id) == 0); /* same identity, same user */
    realm_string_free(first_id);
    realm_string_free(second_id);
    CHECK_INT(emu_count(R_LOGIN("custom-function")), 2);

    CHECK_STATUS(realm_login(c, "oauth2-google", "{\"id_token\": \"demo-google-token\"}"), REALM_OK);
    check_user(c, NULL, "oauth2-google");
    CHECK_STATUS(realm_login(c, "oauth2-google", "{\"authCode\": \"demo-google-token\"}"), REALM_OK);
    CHECK_STATUS(realm_login(c, "oauth2-apple", "{\"id_token\": \"demo-apple-token\"}"), REALM_OK);
    check_user(c, NULL, "oauth2-apple");
    CHECK_STATUS(realm_login(c, "oauth2-facebook", "{\"accessToken\": \"demo-facebook-token\"}"), REALM_OK);
    check_user(c, NULL, "oauth2-facebook");
    CHECK_INT(emu_count(R_LOGIN("oauth2-google")), 2);
    CHECK_INT(emu_count(R_LOGIN("oauth2-apple")), 1);
    CHECK_INT(emu_count(R_LOGIN("oauth2-facebook")), 1);
    realm_free(c);
}

static void test_login_failures(void)
{
    realm_client *c = logged_in_client(NULL);
    realm_client *unknown_app = NULL;

    t_section("login failures");
    CHECK_ERROR(realm_login_email_password(c, DEMO_EMAIL, "wrong-password"),
                REALM_ERR_INVALID_CREDENTIALS, 401, "InvalidPassword");
    CHECK_HAS(realm_last_error_link(), "http");
    /* The password never appears in the detail. */
    CHECK(strstr(realm_last_error_message(), "wrong-password") == NULL);
    CHECK_ERROR(realm_login_email_password(c, "nobody@example.com", "whatever-pw"),
                REALM_ERR_INVALID_CREDENTIALS, 401, "InvalidPassword");
    CHECK_ERROR(realm_login_api_key(c, "not-a-key-0000"), REALM_ERR_INVALID_CREDENTIALS, 401,
                "InvalidPassword");
    CHECK(strstr(realm_last_error_message(), "not-a-key-0000") == NULL);
    CHECK_ERROR(realm_login_custom_jwt(c, CUSTOM_JWT_BAD_SIG), REALM_ERR_INVALID_CREDENTIALS, 401,
                "InvalidPassword");
    CHECK_ERROR(realm_login_custom_jwt(c, "not.a.jwt"), REALM_ERR_INVALID_CREDENTIALS, 401,
                "InvalidPassword");
    CHECK_ERROR(realm_login_custom_function(c, "{\"nousername\": 1}"),
                REALM_ERR_INVALID_CREDENTIALS, 401, "InvalidPassword");
    CHECK_ERROR(realm_login(c, "oauth2-google", "{\"id_token\": \"forged\"}"),
                REALM_ERR_INVALID_CREDENTIALS, 401, "InvalidPassword");
    CHECK_ERROR(realm_login(c, "no-such-provider", "{}"), REALM_ERR_NOT_FOUND, 404,
                "AuthProviderNotFound");
    CHECK_ERROR(realm_login(c, "local-userpass", "{\"username\": \"" DEMO_EMAIL "\"}"),
                REALM_ERR_HTTP, 400, "MissingParameter");
    /* A failed login keeps the previous session. */
    CHECK(realm_is_logged_in(c));
    check_user(c, DEMO_USER_ID, "local-userpass");
    realm_free(c);

    /* An unknown app: the location request answers 404. */
    CHECK_STATUS(realm_client_new("nosuch-app", emu_options(NULL), &unknown_app), REALM_OK);
    {
        realm_status st = realm_login_email_password(unknown_app, DEMO_EMAIL, DEMO_PASSWORD);
        CHECK_INT(st, REALM_ERR_NOT_FOUND);
        CHECK_INT(realm_last_error_http_status(), 404);
        CHECK(realm_last_error_server_code()[0] != '\0');
    }
    CHECK(!realm_is_logged_in(unknown_app));
    realm_free(unknown_app);
}

static void test_graphql(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out = NULL, *log;

    t_section("GraphQL");
    emu_clear_log();
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_STR(out, "{\"data\":{\"movies\":[{\"title\":\"Casablanca\",\"year\":1942},"
                   "{\"title\":\"The Matrix\",\"year\":1999},{\"title\":\"Spirited Away\",\"year\":2001},"
                   "{\"title\":\"Am\xc3\xa9lie\",\"year\":2001},{\"title\":\"Inception\",\"year\":2010}]}}");
    realm_string_free(out);
    out = NULL;
    CHECK_INT(emu_count(R_GRAPHQL), 1);
    CHECK_INT(emu_total(), 1);

    /* Variables and an operation name reach the server. */
    emu_clear_log();
    CHECK_STATUS(realm_graphql(c,
                               "query First { movie(query: {year: 1999}) { title } } "
                               "query ByYear($y: Int!) { movies(query: {year: $y}, sortBy: TITLE_ASC) { title } }",
                               "{\"y\": 2001}", "ByYear", &out),
                 REALM_OK);
    CHECK_STR(out, "{\"data\":{\"movies\":[{\"title\":\"Am\xc3\xa9lie\"},{\"title\":\"Spirited Away\"}]}}");
    realm_string_free(out);
    out = NULL;
    log = emu_log();
    CHECK_HAS(log, "operationName");
    CHECK_HAS(log, "ByYear");
    CHECK_HAS(log, "\"authorization\":\"Bearer ");
    free(log);
    CHECK_STATUS(realm_graphql(c, "query First { movie(query: {year: 1999}) { title } } "
                                  "query Second { movie(query: {year: 2010}) { title } }",
                               "{}", "Second", &out),
                 REALM_OK);
    CHECK_STR(out, "{\"data\":{\"movie\":{\"title\":\"Inception\"}}}");
    realm_string_free(out);
    out = NULL;

    /* GraphQL errors are data, not failures. */
    CHECK_STATUS(realm_graphql(c, "{ movies { no_such_field } }", NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "\"errors\":[");
    realm_string_free(out);
    out = NULL;
    CHECK_STATUS(realm_graphql(c, "this is not graphql", NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "\"errors\":[");
    realm_string_free(out);
    out = NULL;
    CHECK_STATUS(realm_graphql(c, "query Q($y: Int!) { movies(query: {year: $y}) { title } }", NULL, "Q", &out),
                 REALM_OK);
    CHECK_HAS(out, "\"errors\":[");
    realm_string_free(out);
    out = NULL;

    /* A mutation; non-ASCII data round-trips. */
    CHECK_STATUS(realm_graphql(c, "mutation Add($m: MovieInsertInput!) { insertOneMovie(data: $m) { title year } }",
                               "{\"m\": {\"title\": \"Le Fabuleux Destin \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\", \"year\": 2024}}",
                               "Add", &out),
                 REALM_OK);
    CHECK_HAS(out, "\"title\":\"Le Fabuleux Destin \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\"");
    realm_string_free(out);
    out = NULL;
    CHECK_STATUS(realm_graphql(c, "{ movies(query: {year: 2024}) { title } }", NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "Destin");
    realm_string_free(out);
    realm_free(c);
}

static void test_http_errors(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out = NULL;

    t_section("HTTP failures");
#define GQL_FAULT(action) \
    emu_fault("{\"method\": \"POST\", \"path\": \"/api/client/v2.0/app/" APP_ID "/graphql\", \"count\": 1, \"action\": " action "}")
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 500, \"content_type\": \"application/json\", "
              "\"body\": \"{\\\"error\\\": \\\"boom\\\", \\\"error_code\\\": \\\"InternalServerError\\\", \\\"link\\\": \\\"http://127.0.0.1/log\\\"}\"}");
    out = SENTINEL;
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_SERVER, 500, "InternalServerError");
    CHECK(out == NULL);
    CHECK_STR(realm_last_error_link(), "http://127.0.0.1/log");
    CHECK_HAS(realm_last_error_message(), "boom");

    GQL_FAULT("{\"kind\": \"respond\", \"status\": 503, \"content_type\": \"text/html\", \"body\": \"<html>down</html>\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_SERVER, 503, "");
    CHECK(out == NULL);
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 403, \"content_type\": \"application/json\", "
              "\"body\": \"{\\\"error\\\": \\\"no\\\", \\\"error_code\\\": \\\"Forbidden\\\"}\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_FORBIDDEN, 403, "Forbidden");
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 404, \"content_type\": null, \"body\": \"\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_NOT_FOUND, 404, "");
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 429, \"content_type\": \"application/json\", "
              "\"body\": \"{\\\"error\\\": \\\"slow down\\\", \\\"error_code\\\": \\\"TooManyRequests\\\"}\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_RATE_LIMITED, 429, "TooManyRequests");
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 418, \"content_type\": \"text/plain\", \"body\": \"teapot\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_HTTP, 418, "");
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 200, \"content_type\": \"application/json\", \"body\": \"not json\"}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_PROTOCOL, 200, "");
    CHECK(out == NULL);
    /* The session survives all of that. */
    CHECK(realm_is_logged_in(c));
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    realm_string_free(out);
    out = NULL;

    /* A 401 on GraphQL: one refresh, one retry, success. */
    emu_clear_log();
    GQL_FAULT("{\"kind\": \"respond\", \"status\": 401, \"content_type\": \"application/json\", "
              "\"body\": \"{\\\"error\\\": \\\"invalid session\\\", \\\"error_code\\\": \\\"InvalidSession\\\"}\"}");
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "The Matrix");
    realm_string_free(out);
    out = NULL;
    CHECK_INT(emu_count(R_GRAPHQL), 2);
    CHECK_INT(emu_count(R_REFRESH), 1);

    /* A 5xx on login. */
    emu_fault("{\"method\": \"POST\", \"path\": \"/api/client/v2.0/app/" APP_ID
              "/auth/providers/local-userpass/login\", \"count\": 1, \"action\": {\"kind\": \"respond\", "
              "\"status\": 502, \"content_type\": null, \"body\": \"\"}}");
    CHECK_ERROR(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_ERR_SERVER, 502, "");
    CHECK(realm_is_logged_in(c));
    realm_free(c);
#undef GQL_FAULT
}

static void test_transport_errors(void)
{
    realm_client *c = NULL;
    char *out = NULL;
    char opts[256];
    int port = 0;

    t_section("transport failures");
    /* Nothing listens on port 1. */
    CHECK_STATUS(realm_client_new(APP_ID, "{\"base_url\": \"http://127.0.0.1:1\", \"connect_timeout_ms\": 2000}", &c),
                 REALM_OK);
    CHECK_ERROR(realm_login_anonymous(c), REALM_ERR_NETWORK, 0, "");
    CHECK(!realm_is_logged_in(c));
    realm_free(c);

    /* https to the plain-http emulator: the TLS handshake fails. */
    sscanf(emu_base_url(), "http://127.0.0.1:%d", &port);
    snprintf(opts, sizeof opts, "{\"base_url\": \"https://127.0.0.1:%d\", \"request_timeout_ms\": 5000}", port);
    c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, opts, &c), REALM_OK);
    CHECK_ERROR(realm_login_anonymous(c), REALM_ERR_TLS, 0, "");
    realm_free(c);

    /* A stalled answer hits request_timeout_ms. */
    c = logged_in_client(", \"request_timeout_ms\": 2000");
    emu_fault("{\"path\": \"/api/client/v2.0/app/" APP_ID "/graphql\", \"count\": 1, \"action\": {\"kind\": \"stall\"}}");
    out = SENTINEL;
    {
        double t0 = now_secs();
        CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_TIMEOUT, 0, "");
        CHECK_MSG(now_secs() - t0 < 10.0, "the timeout took %.1f s", now_secs() - t0);
    }
    CHECK(out == NULL);
    /* A dropped connection, and one cut in the middle of the body. */
    emu_fault("{\"path\": \"/api/client/v2.0/app/" APP_ID "/graphql\", \"count\": 5, \"action\": {\"kind\": \"drop\"}}");
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_NETWORK, 0, "");
    emu_http("DELETE", "/_emulator/faults", NULL, NULL);
    emu_fault("{\"path\": \"/api/client/v2.0/app/" APP_ID "/graphql\", \"count\": 5, \"action\": {\"kind\": \"drop_mid_body\", \"status\": 200}}");
    /* The status line did arrive: the detail keeps its 200. */
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_NETWORK, 200, "");
    emu_http("DELETE", "/_emulator/faults", NULL, NULL);
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    realm_string_free(out);
    out = NULL;
    realm_free(c);

    /* A body larger than max_response_bytes. */
    c = logged_in_client(", \"max_response_bytes\": 4096");
    emu_fault("{\"path\": \"/api/client/v2.0/app/" APP_ID "/graphql\", \"count\": 1, \"action\": {\"kind\": \"oversized\", \"bytes\": 100000}}");
    out = SENTINEL;
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_RESPONSE_TOO_LARGE, 200, "");
    CHECK(out == NULL);
    realm_free(c);
}

static void test_refresh_and_expiry(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out = NULL, *t1 = NULL, *t2 = NULL;

    t_section("refresh and expiry");
    emu_clear_log();
    CHECK_STATUS(realm_refresh(c), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_count(R_REFRESH), 1);
    CHECK_INT(emu_total(), 1);

    /* Short access tokens: requests refresh them on their own. */
    emu_settings("{\"access_token_ttl_secs\": 2}");
    CHECK_STATUS(realm_refresh(c), REALM_OK);
    CHECK_STATUS(realm_access_token(c, &t1), REALM_OK);
    emu_clear_log();
    sleep_ms(2200);
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "The Matrix");
    realm_string_free(out);
    out = NULL;
    CHECK_INT(emu_count(R_REFRESH), 1);
    CHECK_INT(emu_count(R_GRAPHQL), 1);
    CHECK_STATUS(realm_access_token(c, &t2), REALM_OK);
    CHECK(t1 && t2 && strcmp(t1, t2) != 0);
    realm_string_free(t1);
    realm_string_free(t2);
    emu_settings("{\"access_token_ttl_secs\": 1800}");

    /* The server revokes the session: refresh says SESSION_EXPIRED and the session ends. */
    emu_revoke(DEMO_USER_ID);
    CHECK_ERROR(realm_refresh(c), REALM_ERR_SESSION_EXPIRED, 401, "InvalidSession");
    CHECK(!realm_is_logged_in(c));
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_NOT_LOGGED_IN, 0, "");
    CHECK_ERROR(realm_refresh(c), REALM_ERR_NOT_LOGGED_IN, 0, "");
    realm_free(c);

    /* Revoked with an expired access token: the GraphQL call itself reports SESSION_EXPIRED. */
    c = logged_in_client(NULL);
    emu_revoke(DEMO_USER_ID);
    emu_clock(3600);
    out = SENTINEL;
    CHECK_ERROR(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_SESSION_EXPIRED, 401, "InvalidSession");
    CHECK(out == NULL);
    CHECK(!realm_is_logged_in(c));
    emu_clock(0);
    realm_free(c);

    /* auto_relogin: the client logs in again with the credentials it kept. */
    c = logged_in_client(", \"auto_relogin\": true");
    emu_clear_log();
    emu_revoke(DEMO_USER_ID);
    CHECK_STATUS(realm_refresh(c), REALM_OK);
    CHECK(realm_is_logged_in(c));
    CHECK_INT(emu_count(R_REFRESH), 1);
    CHECK_INT(emu_count(R_LOGIN("local-userpass")), 1);
    emu_revoke(DEMO_USER_ID);
    emu_clock(3600);
    CHECK_STATUS(realm_graphql(c, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "The Matrix");
    realm_string_free(out);
    out = NULL;
    CHECK_INT(emu_count(R_LOGIN("local-userpass")), 2);
    emu_clock(0);
    realm_free(c);

    /* A 5xx on refresh is not the end of the session. */
    c = logged_in_client(NULL);
    emu_fault("{\"path\": \"/api/client/v2.0/auth/session\", \"method\": \"POST\", \"count\": 1, "
              "\"action\": {\"kind\": \"respond\", \"status\": 500, \"content_type\": null, \"body\": \"\"}}");
    CHECK_ERROR(realm_refresh(c), REALM_ERR_SERVER, 500, "");
    CHECK(realm_is_logged_in(c));
    CHECK_STATUS(realm_refresh(c), REALM_OK);
    realm_free(c);
}

static void test_session_export_restore(void)
{
    realm_client *a = logged_in_client(NULL);
    realm_client *b = NULL;
    char *blob = NULL, *out = NULL, *id = NULL;

    t_section("session export and restore");
    CHECK_STATUS(realm_session_export(a, &blob), REALM_OK);
    CHECK_HAS(blob, "\"user_id\":\"" DEMO_USER_ID "\"");
    CHECK_HAS(blob, emu_base_url());
    CHECK_STATUS(realm_client_new(APP_ID, emu_options(NULL), &b), REALM_OK);
    emu_clear_log();
    CHECK_STATUS(realm_session_restore(b, blob), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_total(), 0); /* no I/O */
    CHECK(realm_is_logged_in(b));
    CHECK_STATUS(realm_user_id(b, &id), REALM_OK);
    CHECK_STR(id, DEMO_USER_ID);
    realm_string_free(id);
    id = NULL;
    /* No access token until the first request refreshes. */
    out = SENTINEL;
    CHECK_ERROR(realm_access_token(b, &out), REALM_ERR_NOT_LOGGED_IN, 0, "");
    CHECK(out == NULL);
    CHECK_STATUS(realm_graphql(b, MOVIES_QUERY, NULL, NULL, &out), REALM_OK);
    CHECK_HAS(out, "Inception");
    realm_string_free(out);
    out = NULL;
    CHECK_INT(emu_count(R_REFRESH), 1);
    CHECK_INT(emu_count(R_GRAPHQL), 1);
    CHECK_STATUS(realm_access_token(b, &out), REALM_OK);
    realm_string_free(out);
    out = NULL;
    /* Restore over an existing session replaces it. */
    CHECK_STATUS(realm_login_anonymous(b), REALM_OK);
    CHECK_STATUS(realm_session_restore(b, blob), REALM_OK);
    CHECK_STATUS(realm_user_id(b, &id), REALM_OK);
    CHECK_STR(id, DEMO_USER_ID);
    realm_string_free(id);
    /* Logging out on one client revokes the shared session: the other one learns it. */
    CHECK_STATUS(realm_logout(a), REALM_OK);
    emu_clock(3600); /* b's access token is now expired by the server's clock */
    out = SENTINEL;
    CHECK_ERROR(realm_graphql(b, MOVIES_QUERY, NULL, NULL, &out), REALM_ERR_SESSION_EXPIRED, 401, "InvalidSession");
    CHECK(out == NULL);
    CHECK(!realm_is_logged_in(b));
    emu_clock(0);
    /* A restored session whose refresh token was revoked. */
    CHECK_STATUS(realm_session_restore(b, blob), REALM_OK);
    CHECK_ERROR(realm_refresh(b), REALM_ERR_SESSION_EXPIRED, 401, "InvalidSession");
    CHECK(!realm_is_logged_in(b));
    realm_string_free(blob);
    realm_free(a);
    realm_free(b);
}

static void test_logout(void)
{
    realm_client *c = logged_in_client(NULL);
    char *out = NULL;

    t_section("logout");
    emu_clear_log();
    CHECK_STATUS(realm_logout(c), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_count(R_LOGOUT), 1);
    CHECK_INT(emu_total(), 1);
    CHECK(!realm_is_logged_in(c));
    CHECK_ERROR(realm_user_id(c, &out), REALM_ERR_NOT_LOGGED_IN, 0, "");
    CHECK_STATUS(realm_logout(c), REALM_OK);
    CHECK_INT(emu_count(R_LOGOUT), 1);
    /* A server failure on logout: the local session is cleared anyway. */
    CHECK_STATUS(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_OK);
    emu_fault("{\"method\": \"DELETE\", \"path\": \"/api/client/v2.0/auth/session\", \"count\": 1, "
              "\"action\": {\"kind\": \"respond\", \"status\": 500, \"content_type\": null, \"body\": \"\"}}");
    CHECK_ERROR(realm_logout(c), REALM_ERR_SERVER, 500, "");
    CHECK(!realm_is_logged_in(c));
    /* A session that the server already ended: logout is a success. */
    CHECK_STATUS(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_OK);
    emu_revoke(DEMO_USER_ID);
    CHECK_STATUS(realm_logout(c), REALM_OK);
    CHECK(!realm_is_logged_in(c));
    realm_free(c);
}

static void test_error_reset(void)
{
    realm_client *c = logged_in_client(NULL);
    realm_client *other = NULL;
    char *out = NULL;
    const char *msg;

    t_section("error detail: never NULL, reset by each fallible call");
    CHECK_ERROR(realm_login_email_password(c, DEMO_EMAIL, "nope-nope"), REALM_ERR_INVALID_CREDENTIALS,
                401, "InvalidPassword");
    /* The infallible calls leave the detail alone. */
    realm_is_logged_in(c);
    realm_status_name(3);
    realm_client_version();
    realm_client_abi_version();
    realm_string_free(NULL);
    realm_free(NULL);
    CHECK_INT(realm_last_error_http_status(), 401);
    CHECK_STR(realm_last_error_server_code(), "InvalidPassword");
    /* A new failure replaces all of it (no stale HTTP status or server code). */
    CHECK_ERROR(realm_graphql(c, NULL, NULL, NULL, &out), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_STR(realm_last_error_link(), "");
    /* A success clears it. */
    CHECK_STATUS(realm_user_id(c, &out), REALM_OK);
    realm_string_free(out);
    out = NULL;
    CHECK_NO_ERROR();
    realm_login_email_password(c, DEMO_EMAIL, "nope-nope");
    CHECK_STATUS(realm_refresh(c), REALM_OK);
    CHECK_NO_ERROR();
    realm_login_email_password(c, DEMO_EMAIL, "nope-nope");
    CHECK_STATUS(realm_logout(c), REALM_OK);
    CHECK_NO_ERROR();
    realm_login_email_password(c, DEMO_EMAIL, "nope-nope");
    CHECK_STATUS(realm_client_new(APP_ID, NULL, &other), REALM_OK);
    CHECK_NO_ERROR();
    realm_free(other);
    /* Even a failing call on a freed handle resets the old detail. */
    realm_free(c);
    CHECK_ERROR(realm_refresh(c), REALM_ERR_INVALID_ARGUMENT, 0, "");
    msg = realm_last_error_message();
    CHECK(msg != NULL && msg[0] != '\0');
    realm_string_free(NULL);
}

static void test_admin(void)
{
    realm_admin *admin = SENTINEL, *bad_keys = NULL;
    realm_client *c = logged_in_client(NULL);
    char *token = NULL, *claims = SENTINEL;
    static const char *bad_options[] = {
        "{",
        "[]",
        "",
        "null",
        "{}",
        "{\"public_api_key\": \"" ADMIN_PUBLIC "\"}",
    };
    size_t i;
    char opts[1200];

    t_section("admin handle");
    CHECK_ERROR(realm_admin_new(NULL, &admin), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(admin == NULL);
    CHECK_ERROR(realm_admin_new(admin_options(NULL), NULL), REALM_ERR_INVALID_ARGUMENT, 0, "");
    for (i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++) {
        admin = SENTINEL;
        CHECK_ERROR(realm_admin_new(bad_options[i], &admin), REALM_ERR_INVALID_ARGUMENT, 0, "");
        CHECK_MSG(admin == NULL, "admin out is NULL for %s", bad_options[i]);
    }
    admin = SENTINEL;
    CHECK_ERROR(realm_admin_new(admin_options(", \"bogus\": 1"), &admin), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_HAS(realm_last_error_message(), "bogus");
    CHECK(admin == NULL);
    admin = SENTINEL;
    CHECK_ERROR(realm_admin_new(admin_options(", \"auto_relogin\": true"), &admin), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(admin == NULL);
    snprintf(opts, sizeof opts, "%s", admin_options(NULL));
    memcpy(strstr(opts, ADMIN_PRIVATE), "\xff\xfe", 2);
    admin = SENTINEL;
    CHECK_ERROR(realm_admin_new(opts, &admin), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(admin == NULL);

    /* Creating it does no I/O; the first verify logs in to the Admin API, once. */
    emu_clear_log();
    admin = NULL;
    CHECK_STATUS(realm_admin_new(admin_options(", \"request_timeout_ms\": 10000"), &admin), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_INT(emu_total(), 0);
    CHECK_STATUS(realm_access_token(c, &token), REALM_OK);
    claims = NULL;
    CHECK_STATUS(realm_admin_verify_token(admin, token, &claims), REALM_OK);
    CHECK_NO_ERROR();
    CHECK_HAS(claims, "\"sub\":\"" DEMO_USER_ID "\"");
    CHECK_HAS(claims, "\"exp\":");
    realm_string_free(claims);
    claims = NULL;
    CHECK_STATUS(realm_admin_verify_token(admin, token, &claims), REALM_OK);
    realm_string_free(claims);
    claims = NULL;
    CHECK_INT(emu_count(R_ADMIN_LOGIN), 1);
    CHECK_INT(emu_count(R_ADMIN_VERIFY), 2);

    /* Not genuine / malformed tokens. */
    claims = SENTINEL;
    CHECK_STATUS(realm_admin_verify_token(admin, "garbage", &claims), REALM_ERR_INVALID_TOKEN);
    CHECK(claims == NULL);
    claims = SENTINEL;
    CHECK_STATUS(realm_admin_verify_token(admin, CUSTOM_JWT_BAD_SIG, &claims), REALM_ERR_INVALID_TOKEN);
    CHECK(claims == NULL);
    /* Arguments. */
    claims = SENTINEL;
    CHECK_ERROR(realm_admin_verify_token(admin, NULL, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(claims == NULL);
    claims = SENTINEL;
    CHECK_ERROR(realm_admin_verify_token(admin, BAD_UTF8, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK(claims == NULL);
    CHECK_ERROR(realm_admin_verify_token(admin, token, NULL), REALM_ERR_INVALID_ARGUMENT, 0, "");
    claims = SENTINEL;
    CHECK_ERROR(realm_admin_verify_token(NULL, token, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_MSG(claims == NULL, "verify on a NULL admin leaves out NULL (got %p)", (void *)claims);
    claims = SENTINEL;
    CHECK_ERROR(realm_admin_verify_token((realm_admin *)(void *)c, token, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_MSG(claims == NULL, "verify on a client handle leaves out NULL (got %p)", (void *)claims);

    /* An expired client token, by the server's clock; the admin token expires too and is renewed. */
    emu_clock(7200);
    claims = SENTINEL;
    CHECK_STATUS(realm_admin_verify_token(admin, token, &claims), REALM_ERR_TOKEN_EXPIRED);
    CHECK(claims == NULL);
    emu_clock(0);
    claims = NULL;
    CHECK_STATUS(realm_admin_verify_token(admin, token, &claims), REALM_OK);
    realm_string_free(claims);
    claims = NULL;

    /* Wrong admin keys. */
    snprintf(opts, sizeof opts, "%s", admin_options(NULL));
    memcpy(strstr(opts, ADMIN_PRIVATE), "X", 1);
    CHECK_STATUS(realm_admin_new(opts, &bad_keys), REALM_OK);
    claims = SENTINEL;
    CHECK_STATUS(realm_admin_verify_token(bad_keys, token, &claims), REALM_ERR_INVALID_CREDENTIALS);
    CHECK_INT(realm_last_error_http_status(), 401);
    CHECK(claims == NULL);
    realm_admin_free(bad_keys);

    /* Freed, double-freed, NULL. */
    realm_admin_free(admin);
    claims = SENTINEL;
    CHECK_ERROR(realm_admin_verify_token(admin, token, &claims), REALM_ERR_INVALID_ARGUMENT, 0, "");
    CHECK_MSG(claims == NULL, "verify on a freed admin leaves out NULL (got %p)", (void *)claims);
    realm_admin_free(admin);
    realm_admin_free(NULL);
    realm_admin_free((realm_admin *)(void *)c); /* a client handle: ignored */
    CHECK(realm_is_logged_in(c));
    realm_string_free(token);
    realm_free(c);
}

int main(void)
{
    test_initial_detail();
    emu_init();
    emu_reset();
    test_versions();
    test_status_names();
    test_client_new_args();
    test_options();
    test_bad_handles();
    test_null_args();
    test_invalid_utf8();
    test_malformed_json();
    test_not_logged_in();
    test_logins();
    test_login_failures();
    test_graphql();
    emu_reset();
    test_http_errors();
    test_transport_errors();
    emu_reset();
    test_refresh_and_expiry();
    emu_reset();
    test_session_export_restore();
    emu_reset();
    test_logout();
    emu_reset();
    test_error_reset();
    emu_reset();
    test_admin();
    emu_reset();
    return t_summary();
}
