/*
 * common.h: the tiny assertion framework of the C tests and a raw-socket HTTP helper for the
 * emulator's /_emulator control surface (127.0.0.1 only, found through REALM_BASE_URL).
 */
#ifndef REALM_TESTS_COMMON_H
#define REALM_TESTS_COMMON_H

#include <stddef.h>
#include <string.h>

#include "realm_client.h"

#define APP_ID "demo-abcde"
#define DEMO_EMAIL "demo@example.com"
#define DEMO_PASSWORD "demo-password"
#define DEMO_USER_ID "5f00000000000000000000b1"
#define NONASCII_EMAIL "zo\xc3\xab@ex\xc3\xa4mple.com"
#define NONASCII_PASSWORD "p\xc3\xa4ssw\xc3\xb6rd-\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac"
#define NONASCII_USER_ID "5f00000000000000000000b2"
#define SERVER_USER_ID "5f00000000000000000000b3"
#define USER_API_KEY "demo-user-api-key-0123456789"
#define SERVER_API_KEY "demo-server-api-key-9876543210"
#define ADMIN_PUBLIC "demo-admin-public"
#define ADMIN_PRIVATE "demo-admin-private-0123456789"
#define ADMIN_GROUP "5f0000000000000000000001"
#define ADMIN_APP "5f00000000000000000000a1"
/* HS256 with demo-custom-jwt-secret: {"sub":"c-test-user","aud":"demo-abcde","exp":4102444800,...} */
#define CUSTOM_JWT                                                                             \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjLXRlc3QtdXNlciIsImF1ZCI6ImRlbW8tYWJjZGUi" \
    "LCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMCwibmFtZSI6IkMgVGVzdCJ9.98XDMpCD6-SOb1NHGvl-" \
    "8xhP8sMaz79oKG_y5002a4I"
/* The same claims signed with another secret. */
#define CUSTOM_JWT_BAD_SIG                                                                     \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjLXRlc3QtdXNlciIsImF1ZCI6ImRlbW8tYWJjZGUi" \
    "LCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMCwibmFtZSI6IkMgVGVzdCJ9.eqW48mumZT4V2NbiQpvX" \
    "QHVqnTNvtXPhRxzdBzMry-A"

/* Request-log keys ("<METHOD> <path>") of the routes the tests count. */
#define R_LOCATION "GET /api/client/v2.0/app/" APP_ID "/location"
#define R_LOGIN(provider) "POST /api/client/v2.0/app/" APP_ID "/auth/providers/" provider "/login"
#define R_PROFILE "GET /api/client/v2.0/auth/profile"
#define R_REFRESH "POST /api/client/v2.0/auth/session"
#define R_LOGOUT "DELETE /api/client/v2.0/auth/session"
#define R_GRAPHQL "POST /api/client/v2.0/app/" APP_ID "/graphql"
#define R_ADMIN_LOGIN "POST /api/admin/v3.0/auth/providers/mongodb-cloud/login"
#define R_ADMIN_REFRESH "POST /api/admin/v3.0/auth/session"
#define R_ADMIN_VERIFY \
    "POST /api/admin/v3.0/groups/" ADMIN_GROUP "/apps/" ADMIN_APP "/users/verify_token"

/* ---- assertions ---- */

void t_record(int ok, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int t_failed(void);
/* Prints "N passed, M failed" on a line of its own; returns the exit code. */
int t_summary(void);
void t_section(const char *name);

#define CHECK(cond) t_record((cond) != 0, __FILE__, __LINE__, "%s", #cond)
#define CHECK_MSG(cond, ...) t_record((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(actual, expected)                                                           \
    do {                                                                                      \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                       \
        t_record(a_ == e_, __FILE__, __LINE__, "%s == %s (got %lld, expected %lld)", #actual, \
                 #expected, a_, e_);                                                          \
    } while (0)
#define CHECK_STR(actual, expected)                                                    \
    do {                                                                               \
        const char *a_ = (actual), *e_ = (expected);                                   \
        t_record(a_ != NULL && strcmp(a_, e_) == 0, __FILE__, __LINE__,                \
                 "%s == \"%s\" (got %s%s%s)", #actual, e_, a_ ? "\"" : "",             \
                 a_ ? a_ : "NULL", a_ ? "\"" : "");                                    \
    } while (0)
#define CHECK_HAS(haystack, needle)                                                      \
    do {                                                                                 \
        const char *h_ = (haystack), *n_ = (needle);                                     \
        t_record(h_ != NULL && strstr(h_, n_) != NULL, __FILE__, __LINE__,               \
                 "%s contains '%s' (got %s)", #haystack, n_, h_ ? h_ : "NULL");          \
    } while (0)
/* Checks a status, and on a mismatch prints the thread's error detail. */
#define CHECK_STATUS(call, expected) t_check_status((call), (expected), #call, __FILE__, __LINE__)
realm_status t_check_status(realm_status got, realm_status expected, const char *what,
                            const char *file, int line);
/* Checks the thread's error detail after a failure: status, HTTP status, server code. */
#define CHECK_ERROR(call, status, http, code) \
    t_check_error((call), (status), (http), (code), #call, __FILE__, __LINE__)
void t_check_error(realm_status got, realm_status status, int http, const char *code,
                   const char *what, const char *file, int line);
/* The detail after a success: message "", HTTP status 0, server code "", link "". */
#define CHECK_NO_ERROR() t_check_no_error(__FILE__, __LINE__)
void t_check_no_error(const char *file, int line);

/* A pointer value that the library must overwrite with NULL on failure. */
#define SENTINEL ((void *)&t_sentinel)
extern char t_sentinel;

/* ---- the emulator ---- */

/* Reads REALM_BASE_URL ("http://127.0.0.1:PORT"); exits if it is missing or not loopback. */
void emu_init(void);
const char *emu_base_url(void);
/* The options JSON {"base_url": ...} plus `extra` (e.g. ", \"auto_relogin\": true" or ""). */
const char *emu_options(const char *extra);
/* One request to the emulator; returns the HTTP status (-1 on a socket error). `*body_out`,
 * when not NULL, receives the response body (free() it). */
int emu_http(const char *method, const char *path, const char *body, char **body_out);
void emu_reset(void);
void emu_clear_log(void);
void emu_settings(const char *json);
void emu_fault(const char *json);
void emu_clock(long offset_secs);
void emu_revoke(const char *user_id);
/* GET /_emulator/requests: the count for a "<METHOD> <path>" key (0 when absent), the sum of
 * all counts, and the raw log (free() it). */
long emu_count(const char *key);
long emu_total(void);
char *emu_log(void);
/* Occurrences of `needle` in `haystack`. */
long count_of(const char *haystack, const char *needle);

/* A client for the demo app on the emulator (options: emu_options(extra)); NULL on failure. */
realm_client *new_client(const char *extra);
/* new_client + email/password login of the demo user. */
realm_client *logged_in_client(const char *extra);
void sleep_ms(long ms);
double now_secs(void);

#endif
