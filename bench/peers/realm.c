/* Our library from C: realm_client_new, realm_login_email_password, then N realm_graphql
 * calls (each returns the envelope as a new string, freed with realm_string_free).
 *   -t T  T threads share one handle, N calls in all (req/s reported)
 *   -r    print the resident set after 1k, 10k, 100k, ... calls
 *   -d S  call for S seconds instead of N calls (for the token-refresh row)
 *   -F    cold mode: the process does location + login + profile + N queries and exits
 * Build: gcc -O2 realm.c -I../include -L../target/release -lrealm_client -lpthread */
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>
#include "realm_client.h"

static realm_client *client;
static struct opts o;
static atomic_long done_calls, ok_calls, failures;
static double deadline_us;

static void fail(const char *what, realm_status st) {
    fprintf(stderr, "realm: %s: %s (%s, HTTP %d)\n", what, realm_status_name(st),
            realm_last_error_message(), realm_last_error_http_status());
}

static int one_call(void) {
    char *out = NULL;
    realm_status st = realm_graphql(client, QUERY, NULL, NULL, &out);
    int ok = st == REALM_OK && out && out[0] == '{';
    if (st != REALM_OK && atomic_fetch_add(&failures, 1) < 5) fail("graphql", st);
    realm_string_free(out);
    return ok;
}

static void *worker(void *arg) {
    long calls = (long)(intptr_t)arg, ok = 0;
    for (long i = 0; i < calls; i++) ok += one_call();
    atomic_fetch_add(&ok_calls, ok);
    return NULL;
}

int main(int argc, char **argv) {
    o = parse_opts(argc, argv);
    char options[1024];
    snprintf(options, sizeof options, "{\"base_url\":\"%s\"%s%s%s%s}", o.url,
             o.ca_file ? ",\"ca_file\":\"" : "", o.ca_file ? o.ca_file : "", o.ca_file ? "\"" : "",
             o.skip_location ? ",\"skip_location\":true" : "");
    realm_status st = realm_client_new(APP_ID, options, &client);
    if (st != REALM_OK) { fail("realm_client_new", st); return 1; }
    st = realm_login_email_password(client, "demo@example.com", "demo-password");
    if (st != REALM_OK) { fail("login", st); return 1; }

    long ok = 0;
    double c0 = cpu_us(), t0 = now_us(), t1;
    if (o.secs > 0) { /* duration mode */
        deadline_us = t0 + o.secs * 1e6;
        long calls = 0;
        while (now_us() < deadline_us) { ok += one_call(); calls++; }
        t1 = now_us();
        o.n = calls;
    } else if (o.threads > 1) {
        pthread_t tids[64];
        if (o.threads > 64) o.threads = 64;
        for (int i = 0; i < o.threads; i++) {
            long share = o.n / o.threads + (i < o.n % o.threads ? 1 : 0);
            pthread_create(&tids[i], NULL, worker, (void *)(intptr_t)share);
        }
        for (int i = 0; i < o.threads; i++) pthread_join(tids[i], NULL);
        t1 = now_us();
        ok = atomic_load(&ok_calls);
    } else {
        long next_mark = 1000;
        for (long i = 0; i < o.n; i++) {
            ok += one_call();
            if (o.rss && i + 1 == next_mark) {
                printf("rss_after=%ld rss_kb=%ld\n", i + 1, rss_kb());
                fflush(stdout);
                next_mark *= 10;
            }
        }
        t1 = now_us();
    }
    double c1 = cpu_us();
    (void)done_calls;
    report("realm", &o, ok, t1 - t0, c1 - c0);
    if (!o.cold && !o.quiet)
        printf("threads=%d req_per_s=%.0f failures=%ld\n", o.threads, o.n / ((t1 - t0) / 1e6),
               atomic_load(&failures));
    realm_free(client);
    return ok == o.n ? 0 : 1;
}
