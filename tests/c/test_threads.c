/*
 * test_threads.c: the thread rules of realm_client.h, against the emulator (REALM_BASE_URL).
 *  - error detail is per thread: a failure on one thread is not visible on another;
 *  - one client shared by 8 threads doing GraphQL while short access tokens expire: every call
 *    succeeds, and refresh is single-flight (far fewer refreshes than calls);
 *  - realm_free while other threads are inside calls on the handle: no crash, and the calls
 *    either finish normally or see REALM_ERR_INVALID_ARGUMENT;
 *  - one admin handle shared by 8 threads: a single Admin API login.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define THREADS 8
#define MOVIES_QUERY "{ movies(sortBy: YEAR_ASC) { title year } }"

/* ---- per-thread error detail ---- */

static pthread_barrier_t barrier;

static void *error_thread(void *arg)
{
    realm_client *c = arg;
    (void)arg;
    /* 1. The main thread has just failed: nothing of it shows here. */
    CHECK_NO_ERROR();
    pthread_barrier_wait(&barrier);
    /* 2. Fail here with an HTTP error, while the main thread holds its own detail. */
    CHECK_ERROR(realm_login_email_password(c, DEMO_EMAIL, "wrong-password"),
                REALM_ERR_INVALID_CREDENTIALS, 401, "InvalidPassword");
    pthread_barrier_wait(&barrier); /* main checks its detail */
    pthread_barrier_wait(&barrier); /* main succeeds */
    /* 3. A success on the main thread does not clear this thread's detail. */
    CHECK_INT(realm_last_error_http_status(), 401);
    CHECK_STR(realm_last_error_server_code(), "InvalidPassword");
    return NULL;
}

static void test_per_thread_errors(void)
{
    realm_client *c = new_client(NULL);
    realm_client *dummy = SENTINEL;
    char *id = NULL;
    pthread_t t;

    t_section("per-thread error detail");
    pthread_barrier_init(&barrier, NULL, 2);
    CHECK_ERROR(realm_client_new(NULL, NULL, &dummy), REALM_ERR_INVALID_ARGUMENT, 0, "");
    pthread_create(&t, NULL, error_thread, c);
    pthread_barrier_wait(&barrier); /* the thread saw a clean detail */
    pthread_barrier_wait(&barrier); /* the thread failed with 401 */
    CHECK_HAS(realm_last_error_message(), "app_id");
    CHECK_INT(realm_last_error_http_status(), 0);
    CHECK_STR(realm_last_error_server_code(), "");
    CHECK_STATUS(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_OK);
    CHECK_STATUS(realm_user_id(c, &id), REALM_OK);
    CHECK_NO_ERROR();
    pthread_barrier_wait(&barrier);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&barrier);
    realm_string_free(id);
    realm_free(c);
}

/* ---- a shared client under expiring tokens ---- */

struct shared_run {
    realm_client *client;
    double until;
    pthread_mutex_t lock;
    long calls, failures;
};

static void *graphql_thread(void *arg)
{
    struct shared_run *run = arg;
    long calls = 0, failures = 0;
    while (now_secs() < run->until) {
        char *out = NULL;
        realm_status st = realm_graphql(run->client, MOVIES_QUERY, NULL, NULL, &out);
        calls++;
        if (st != REALM_OK || out == NULL || strstr(out, "The Matrix") == NULL) {
            failures++;
            if (failures <= 3)
                fprintf(stderr, "   graphql on a shared client: %s (%d): %s [HTTP %d, \"%s\"]\n",
                        realm_status_name(st), (int)st, realm_last_error_message(),
                        (int)realm_last_error_http_status(), realm_last_error_server_code());
        }
        realm_string_free(out);
        sleep_ms(10); /* keeps the emulator's request log small */
        if (calls % 4 == 0) {
            char *token = NULL;
            if (realm_access_token(run->client, &token) != REALM_OK || token == NULL)
                failures++;
            realm_string_free(token);
            if (!realm_is_logged_in(run->client))
                failures++;
        }
    }
    pthread_mutex_lock(&run->lock);
    run->calls += calls;
    run->failures += failures;
    pthread_mutex_unlock(&run->lock);
    return NULL;
}

static void test_shared_client(void)
{
    struct shared_run run;
    pthread_t t[THREADS];
    double seconds = 6.0, started;
    long refreshes, graphql_requests;
    int i;

    t_section("8 threads, one client, access tokens of 2 s");
    emu_settings("{\"access_token_ttl_secs\": 2}");
    run.client = logged_in_client(NULL);
    run.calls = run.failures = 0;
    pthread_mutex_init(&run.lock, NULL);
    emu_clear_log();
    started = now_secs();
    run.until = started + seconds;
    for (i = 0; i < THREADS; i++)
        CHECK_INT(pthread_create(&t[i], NULL, graphql_thread, &run), 0);
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    seconds = now_secs() - started;
    refreshes = emu_count(R_REFRESH);
    graphql_requests = emu_count(R_GRAPHQL);
    fprintf(stderr, "   %ld calls in %.1f s, %ld refreshes, %ld GraphQL requests\n", run.calls,
            seconds, refreshes, graphql_requests);
    CHECK_INT(run.failures, 0);
    CHECK(run.calls >= THREADS);
    /* Tokens last 2 s and are renewed in their last quarter: one refresh per ~1.5 s, plus the
     * retries after a 401 when the server's whole-second clock ends a token a little early. */
    CHECK_MSG(refreshes >= 2, "tokens were refreshed (%ld refreshes)", refreshes);
    CHECK_MSG(refreshes <= (long)(seconds / 1.5) + 1 + THREADS,
              "refresh is single-flight: %ld refreshes in %.1f s", refreshes, seconds);
    /* Every call made one GraphQL request, or two when the first one met a 401. */
    CHECK_MSG(graphql_requests >= run.calls && graphql_requests <= run.calls + refreshes * THREADS,
              "%ld GraphQL requests for %ld calls", graphql_requests, run.calls);
    CHECK(realm_is_logged_in(run.client));
    emu_settings("{\"access_token_ttl_secs\": 1800}");
    realm_free(run.client);
    pthread_mutex_destroy(&run.lock);
}

/* ---- concurrent logins and free while calls are running ---- */

struct free_run {
    realm_client *client;
    pthread_mutex_t lock;
    long ok, invalid, other;
};

static void *busy_thread(void *arg)
{
    struct free_run *run = arg;
    long ok = 0, invalid = 0, other = 0, n = 0;
    /* Keep calling until the handle is gone: before that, no call may fail. */
    for (;;) {
        char *out = NULL;
        realm_status st;
        switch (n++ % 3) {
        case 0:
            st = realm_graphql(run->client, MOVIES_QUERY, NULL, NULL, &out);
            break;
        case 1:
            st = realm_user_json(run->client, &out);
            break;
        default:
            st = realm_login_email_password(run->client, DEMO_EMAIL, DEMO_PASSWORD);
            break;
        }
        realm_string_free(out);
        if (st == REALM_OK)
            ok++;
        else if (st == REALM_ERR_INVALID_ARGUMENT)
            invalid++;
        else
            other++;
        if (st == REALM_ERR_INVALID_ARGUMENT)
            break;
    }
    pthread_mutex_lock(&run->lock);
    run->ok += ok;
    run->invalid += invalid;
    run->other += other;
    pthread_mutex_unlock(&run->lock);
    return NULL;
}

static void test_free_while_busy(void)
{
    struct free_run run;
    pthread_t t[THREADS];
    int i;

    t_section("realm_free while 8 threads are calling");
    run.client = logged_in_client(NULL);
    run.ok = run.invalid = run.other = 0;
    pthread_mutex_init(&run.lock, NULL);
    for (i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, busy_thread, &run);
    sleep_ms(700);
    realm_free(run.client);
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    fprintf(stderr, "   %ld ok, %ld invalid-argument, %ld other\n", run.ok, run.invalid, run.other);
    CHECK(run.ok > 0);
    CHECK_INT(run.invalid, THREADS); /* each thread stops at its first call on the freed handle */
    CHECK_INT(run.other, 0);
    realm_free(run.client); /* double free: a no-op */
    pthread_mutex_destroy(&run.lock);
}

/* ---- a shared admin handle ---- */

struct admin_run {
    realm_admin *admin;
    const char *token;
    pthread_mutex_t lock;
    long failures;
};

static void *verify_thread(void *arg)
{
    struct admin_run *run = arg;
    long failures = 0;
    int i;
    for (i = 0; i < 5; i++) {
        char *claims = NULL;
        realm_status st = realm_admin_verify_token(run->admin, run->token, &claims);
        if (st != REALM_OK || claims == NULL || strstr(claims, DEMO_USER_ID) == NULL) {
            failures++;
            fprintf(stderr, "   verify: %s: %s\n", realm_status_name(st), realm_last_error_message());
        }
        realm_string_free(claims);
    }
    pthread_mutex_lock(&run->lock);
    run->failures += failures;
    pthread_mutex_unlock(&run->lock);
    return NULL;
}

static void test_shared_admin(void)
{
    struct admin_run run;
    realm_client *c = logged_in_client(NULL);
    char *token = NULL;
    char options[1024];
    pthread_t t[THREADS];
    int i;

    t_section("8 threads, one admin handle");
    snprintf(options, sizeof options,
             "{\"base_url\": \"%s\", \"public_api_key\": \"" ADMIN_PUBLIC "\", "
             "\"private_api_key\": \"" ADMIN_PRIVATE "\", \"group_id\": \"" ADMIN_GROUP "\", "
             "\"app_id\": \"" ADMIN_APP "\"}",
             emu_base_url());
    run.admin = NULL;
    CHECK_STATUS(realm_admin_new(options, &run.admin), REALM_OK);
    CHECK_STATUS(realm_access_token(c, &token), REALM_OK);
    run.token = token;
    run.failures = 0;
    pthread_mutex_init(&run.lock, NULL);
    emu_clear_log();
    for (i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, verify_thread, &run);
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK_INT(run.failures, 0);
    CHECK_INT(emu_count(R_ADMIN_LOGIN), 1); /* single-flight admin login */
    CHECK_INT(emu_count(R_ADMIN_VERIFY), THREADS * 5);
    realm_admin_free(run.admin);
    realm_string_free(token);
    realm_free(c);
    pthread_mutex_destroy(&run.lock);
}

int main(void)
{
    emu_init();
    emu_reset();
    test_per_thread_errors();
    test_shared_client();
    emu_reset();
    test_free_while_busy();
    emu_reset();
    test_shared_admin();
    emu_reset();
    return t_summary();
}
