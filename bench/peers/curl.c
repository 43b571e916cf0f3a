/* libcurl with one reused easy handle: what a C programmer would write. Options are set once;
 * each call is one curl_easy_perform into a reused buffer. Build: gcc -O2 curl.c -lcurl */
#include "common.h"
#include <curl/curl.h>

struct buf { char *p; size_t len, cap; };

static size_t on_data(char *data, size_t size, size_t nmemb, void *user) {
    struct buf *b = user;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
    return n;
}

static CURL *h;
static struct buf body;
static char url_buf[512];

static long perform(const char *base, const char *path) {
    snprintf(url_buf, sizeof url_buf, "%s%s", base, path);
    curl_easy_setopt(h, CURLOPT_URL, url_buf);
    body.len = 0;
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) { fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc)); exit(1); }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int main(int argc, char **argv) {
    struct opts o = parse_opts(argc, argv);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (o.ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file);
    struct curl_slist *json = NULL;
    json = curl_slist_append(json, "Accept: application/json");
    json = curl_slist_append(json, "Content-Type: application/json");
    json = curl_slist_append(json, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, json);

    const char *base = o.url;
    if (o.cold) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (perform(base, LOCATION_PATH) != 200) { fprintf(stderr, "curl: location\n"); return 1; }
    }
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, LOGIN_BODY);
    if (perform(base, LOGIN_PATH) != 200) { fprintf(stderr, "curl: login\n"); return 1; }
    char *token = find_token(body.p, body.len);
    if (!token) { fprintf(stderr, "curl: no access_token\n"); return 1; }
    char auth[4096];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *authed = NULL;
    authed = curl_slist_append(authed, "Accept: application/json");
    authed = curl_slist_append(authed, "Content-Type: application/json");
    authed = curl_slist_append(authed, "Expect:");
    authed = curl_slist_append(authed, auth);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, authed);
    if (o.cold) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (perform(base, PROFILE_PATH) != 200) { fprintf(stderr, "curl: profile\n"); return 1; }
    }

    curl_easy_setopt(h, CURLOPT_POSTFIELDS, GRAPHQL_BODY);
    snprintf(url_buf, sizeof url_buf, "%s%s", base, GRAPHQL_PATH);
    curl_easy_setopt(h, CURLOPT_URL, url_buf);
    long ok = 0;
    double c0 = cpu_us(), t0 = now_us();
    for (long i = 0; i < o.n; i++) {
        body.len = 0;
        CURLcode rc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (rc == CURLE_OK && status == 200 && body.len > 0) ok++;
    }
    double t1 = now_us(), c1 = cpu_us();
    report("curl", &o, ok, t1 - t0, c1 - c0);
    curl_slist_free_all(json);
    curl_slist_free_all(authed);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    free(token);
    free(body.p);
    return ok == o.n ? 0 : 1;
}
