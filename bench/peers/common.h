/* Shared by the C peers of the benchmark: command line, clock, CPU time, RSS, one result line.
 *
 * Every peer does the same work: one login (POST .../auth/providers/local-userpass/login),
 * then N GraphQL POSTs of the same body over one keep-alive connection, and prints
 *   peer=NAME n=N ok=OK wall_us=... cpu_us=... maxrss_kb=...
 * where wall_us and cpu_us (user+system, getrusage) are per request, over the N calls only.
 * -F (cold mode) also does the location GET and the profile GET, as realm_client does. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <stdint.h>

#define APP_ID "demo-abcde"
#define QUERY "{ movies(limit: 3) { title year } }"
#define GRAPHQL_BODY "{\"query\":\"" QUERY "\"}"
#define LOGIN_BODY "{\"username\":\"demo@example.com\",\"password\":\"demo-password\"}"
#define LOGIN_PATH "/api/client/v2.0/app/" APP_ID "/auth/providers/local-userpass/login"
#define LOCATION_PATH "/api/client/v2.0/app/" APP_ID "/location"
#define PROFILE_PATH "/api/client/v2.0/auth/profile"
#define GRAPHQL_PATH "/api/client/v2.0/app/" APP_ID "/graphql"

struct opts {
    const char *url;     /* http(s)://127.0.0.1:PORT */
    long n;              /* GraphQL calls */
    const char *ca_file; /* -c: CA for https */
    int cold;            /* -F: location + login + profile + N queries, no result line */
    int threads;         /* -t: threads sharing one handle (realm only) */
    int rss;             /* -r: print RSS after 1k, 10k, 100k... calls (realm only) */
    double secs;         /* -d: run for this long instead of N calls (realm only) */
    int skip_location;   /* -s (realm only) */
    int quiet;
    int split;           /* -S: write head and body separately (raw only) */
};

static inline void usage(const char *name) {
    fprintf(stderr, "usage: %s [-c CA_FILE] [-F] [-t THREADS] [-r] [-d SECS] [-s] URL N\n", name);
    exit(2);
}

static inline struct opts parse_opts(int argc, char **argv) {
    struct opts o = {0};
    o.threads = 1;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c") && i + 1 < argc) o.ca_file = argv[++i];
        else if (!strcmp(a, "-F")) o.cold = 1;
        else if (!strcmp(a, "-t") && i + 1 < argc) o.threads = atoi(argv[++i]);
        else if (!strcmp(a, "-r")) o.rss = 1;
        else if (!strcmp(a, "-d") && i + 1 < argc) o.secs = atof(argv[++i]);
        else if (!strcmp(a, "-s")) o.skip_location = 1;
        else if (!strcmp(a, "-q")) o.quiet = 1;
        else if (!strcmp(a, "-S")) o.split = 1;
        else if (a[0] == '-') usage(argv[0]);
        else if (pos == 0) { o.url = a; pos++; }
        else if (pos == 1) { o.n = atol(a); pos++; }
        else usage(argv[0]);
    }
    if (pos != 2 || o.threads < 1) usage(argv[0]);
    return o;
}

static inline double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 +
           ru.ru_stime.tv_usec;
}

/* Peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux keeps that across execve, so a
 * peer started by a big parent would report the parent's peak. */
static inline long maxrss_kb(void) {
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) { kb = atol(line + 6); break; }
    fclose(f);
    return kb;
}

/* Current resident set, from /proc/self/statm. */
static inline long rss_kb(void) {
    long pages_total = 0, pages_rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages_total, &pages_rss) != 2) pages_rss = -1;
    fclose(f);
    return pages_rss * 4;
}

static inline void report(const char *peer, const struct opts *o, long ok, double wall, double cpu) {
    if (o->cold || o->quiet) return;
    printf("peer=%s n=%ld ok=%ld wall_us=%.3f cpu_us=%.3f maxrss_kb=%ld\n", peer, o->n, ok,
           wall / (double)o->n, cpu / (double)o->n, maxrss_kb());
}

/* The value of "access_token" in a login response (no JSON parser: the floor does not parse). */
static inline char *find_token(const char *body, size_t len) {
    const char *key = "\"access_token\":\"";
    const char *p = memmem(body, len, key, strlen(key));
    if (!p) return NULL;
    p += strlen(key);
    const char *end = memchr(p, '"', len - (size_t)(p - body));
    if (!end) return NULL;
    return strndup(p, (size_t)(end - p));
}

#endif
