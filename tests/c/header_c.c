/* header_c.c: compile-only check that realm_client.h is valid C99 on its own, with every
 * warning an error (-std=c99 -Wall -Wextra -Wpedantic -Werror), and that its declarations have
 * the documented types. Included twice to check the include guard. */
#include "realm_client.h"
#include "realm_client.h"

#include <stdbool.h>
#include <stdint.h>

/* Each export, assigned to a pointer of the documented type. */
static realm_status (*const p_client_new)(const char *, const char *, realm_client **) = realm_client_new;
static void (*const p_free)(realm_client *) = realm_free;
static realm_status (*const p_login)(realm_client *, const char *, const char *) = realm_login;
static realm_status (*const p_login_anonymous)(realm_client *) = realm_login_anonymous;
static realm_status (*const p_login_email_password)(realm_client *, const char *, const char *) =
    realm_login_email_password;
static realm_status (*const p_login_api_key)(realm_client *, const char *) = realm_login_api_key;
static realm_status (*const p_login_custom_jwt)(realm_client *, const char *) = realm_login_custom_jwt;
static realm_status (*const p_login_custom_function)(realm_client *, const char *) =
    realm_login_custom_function;
static realm_status (*const p_refresh)(realm_client *) = realm_refresh;
static realm_status (*const p_graphql)(realm_client *, const char *, const char *, const char *, char **) =
    realm_graphql;
static realm_status (*const p_logout)(realm_client *) = realm_logout;
static bool (*const p_is_logged_in)(const realm_client *) = realm_is_logged_in;
static realm_status (*const p_user_id)(const realm_client *, char **) = realm_user_id;
static realm_status (*const p_user_json)(const realm_client *, char **) = realm_user_json;
static realm_status (*const p_access_token)(const realm_client *, char **) = realm_access_token;
static realm_status (*const p_session_export)(const realm_client *, char **) = realm_session_export;
static realm_status (*const p_session_restore)(realm_client *, const char *) = realm_session_restore;
static realm_status (*const p_admin_new)(const char *, realm_admin **) = realm_admin_new;
static realm_status (*const p_admin_verify_token)(realm_admin *, const char *, char **) =
    realm_admin_verify_token;
static void (*const p_admin_free)(realm_admin *) = realm_admin_free;
static const char *(*const p_last_error_message)(void) = realm_last_error_message;
static int32_t (*const p_last_error_http_status)(void) = realm_last_error_http_status;
static const char *(*const p_last_error_server_code)(void) = realm_last_error_server_code;
static const char *(*const p_last_error_link)(void) = realm_last_error_link;
static const char *(*const p_client_version)(void) = realm_client_version;
static uint32_t (*const p_client_abi_version)(void) = realm_client_abi_version;
static const char *(*const p_status_name)(int32_t) = realm_status_name;
static void (*const p_string_free)(char *) = realm_string_free;

/* The status codes are distinct integer constants usable in a switch and in #if. */
#if REALM_OK != 0 || REALM_CLIENT_ABI_VERSION < 1
#error "unexpected REALM_OK or REALM_CLIENT_ABI_VERSION"
#endif
int header_c_kind(realm_status s);
int header_c_kind(realm_status s)
{
    switch (s) {
    case REALM_OK: return 0;
    case REALM_ERR_INVALID_ARGUMENT: case REALM_ERR_PANIC: return 1;
    case REALM_ERR_NOT_LOGGED_IN: case REALM_ERR_INVALID_CREDENTIALS: case REALM_ERR_SESSION_EXPIRED:
    case REALM_ERR_FORBIDDEN: case REALM_ERR_INVALID_TOKEN: case REALM_ERR_TOKEN_EXPIRED: return 2;
    case REALM_ERR_NOT_FOUND: case REALM_ERR_RATE_LIMITED: case REALM_ERR_HTTP: case REALM_ERR_SERVER: return 3;
    case REALM_ERR_NETWORK: case REALM_ERR_TIMEOUT: case REALM_ERR_TLS: case REALM_ERR_PROTOCOL:
    case REALM_ERR_RESPONSE_TOO_LARGE: return 4;
    case REALM_ERR_INTERNAL: return 5;
    default: return -1;
    }
}

typedef char realm_status_is_32_bits[sizeof(realm_status) == 4 ? 1 : -1];
static const char version[] = REALM_CLIENT_VERSION;

/* Uses everything so that -Wunused finds nothing to say. */
const void *header_c_all(void);
const void *header_c_all(void)
{
    static const void *all[32];
    realm_status_is_32_bits check = {0};
    (void)check;
    all[0] = (const void *)&p_client_new; all[1] = (const void *)&p_free; all[2] = (const void *)&p_login;
    all[3] = (const void *)&p_login_anonymous; all[4] = (const void *)&p_login_email_password;
    all[5] = (const void *)&p_login_api_key; all[6] = (const void *)&p_login_custom_jwt;
    all[7] = (const void *)&p_login_custom_function; all[8] = (const void *)&p_refresh;
    all[9] = (const void *)&p_graphql; all[10] = (const void *)&p_logout; all[11] = (const void *)&p_is_logged_in;
    all[12] = (const void *)&p_user_id; all[13] = (const void *)&p_user_json; all[14] = (const void *)&p_access_token;
    all[15] = (const void *)&p_session_export; all[16] = (const void *)&p_session_restore;
    all[17] = (const void *)&p_admin_new; all[18] = (const void *)&p_admin_verify_token;
    all[19] = (const void *)&p_admin_free; all[20] = (const void *)&p_last_error_message;
    all[21] = (const void *)&p_last_error_http_status; all[22] = (const void *)&p_last_error_server_code;
    all[23] = (const void *)&p_last_error_link; all[24] = (const void *)&p_client_version;
    all[25] = (const void *)&p_client_abi_version; all[26] = (const void *)&p_status_name;
    all[27] = (const void *)&p_string_free; all[28] = version;
    return all;
}
