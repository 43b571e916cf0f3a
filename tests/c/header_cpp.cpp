// header_cpp.cpp: compile-only check that realm_client.h is valid C++11 with C linkage
// (g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror). Included twice for the include guard.
#include "realm_client.h"
#include "realm_client.h"

#include <cstdint>
#include <type_traits>

static_assert(std::is_same<realm_status, int32_t>::value, "realm_status is int32_t");
static_assert(REALM_OK == 0, "REALM_OK is 0");
static_assert(REALM_CLIENT_ABI_VERSION >= 1, "ABI version");
static_assert(std::is_same<decltype(&realm_client_new),
                           realm_status (*)(const char *, const char *, realm_client **)>::value,
              "realm_client_new");
static_assert(std::is_same<decltype(&realm_graphql),
                           realm_status (*)(realm_client *, const char *, const char *,
                                            const char *, char **)>::value,
              "realm_graphql");
static_assert(std::is_same<decltype(&realm_is_logged_in), bool (*)(const realm_client *)>::value,
              "realm_is_logged_in");
static_assert(std::is_same<decltype(&realm_admin_verify_token),
                           realm_status (*)(realm_admin *, const char *, char **)>::value,
              "realm_admin_verify_token");
static_assert(std::is_same<decltype(realm_client_abi_version()), uint32_t>::value,
              "realm_client_abi_version");
static_assert(std::is_same<decltype(realm_status_name(0)), const char *>::value,
              "realm_status_name");

// The functions have C linkage: an extern "C" pointer type accepts each of them.
extern "C" {
typedef realm_status (*c_login_fn)(realm_client *, const char *, const char *);
typedef void (*c_free_fn)(realm_client *);
}

// Every export, referenced once so that each declaration is checked.
const void *header_cpp_all();
const void *header_cpp_all()
{
    static const void *const all[] = {
        reinterpret_cast<const void *>(&realm_client_new),
        reinterpret_cast<const void *>(static_cast<c_free_fn>(&realm_free)),
        reinterpret_cast<const void *>(static_cast<c_login_fn>(&realm_login)),
        reinterpret_cast<const void *>(&realm_login_anonymous),
        reinterpret_cast<const void *>(&realm_login_email_password),
        reinterpret_cast<const void *>(&realm_login_api_key),
        reinterpret_cast<const void *>(&realm_login_custom_jwt),
        reinterpret_cast<const void *>(&realm_login_custom_function),
        reinterpret_cast<const void *>(&realm_refresh),
        reinterpret_cast<const void *>(&realm_graphql),
        reinterpret_cast<const void *>(&realm_logout),
        reinterpret_cast<const void *>(&realm_is_logged_in),
        reinterpret_cast<const void *>(&realm_user_id),
        reinterpret_cast<const void *>(&realm_user_json),
        reinterpret_cast<const void *>(&realm_access_token),
        reinterpret_cast<const void *>(&realm_session_export),
        reinterpret_cast<const void *>(&realm_session_restore),
        reinterpret_cast<const void *>(&realm_admin_new),
        reinterpret_cast<const void *>(&realm_admin_verify_token),
        reinterpret_cast<const void *>(&realm_admin_free),
        reinterpret_cast<const void *>(&realm_last_error_message),
        reinterpret_cast<const void *>(&realm_last_error_http_status),
        reinterpret_cast<const void *>(&realm_last_error_server_code),
        reinterpret_cast<const void *>(&realm_last_error_link),
        reinterpret_cast<const void *>(&realm_client_version),
        reinterpret_cast<const void *>(&realm_client_abi_version),
        reinterpret_cast<const void *>(&realm_status_name),
        reinterpret_cast<const void *>(&realm_string_free),
        REALM_CLIENT_VERSION,
    };
    return all;
}
