/* common.c: see common.h. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

char t_sentinel;

static pthread_mutex_t t_lock = PTHREAD_MUTEX_INITIALIZER;
static int t_pass, t_fail;

void t_record(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&t_lock);
    if (ok) {
        t_pass++;
    } else {
        t_fail++;
        fprintf(stderr, "FAIL %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    pthread_mutex_unlock(&t_lock);
}

int t_failed(void)
{
    int n;
    pthread_mutex_lock(&t_lock);
    n = t_fail;
    pthread_mutex_unlock(&t_lock);
    return n;
}

int t_summary(void)
{
    fflush(stderr);
    printf("%d passed, %d failed\n", t_pass, t_fail);
    fflush(stdout);
    return t_fail == 0 ? 0 : 1;
}

void t_section(const char *name)
{
    fprintf(stderr, "-- %s\n", name);
}

realm_status t_check_status(realm_status got, realm_status expected, const char *what,
                            const char *file, int line)
{
    if (got == expected) {
        t_record(1, file, line, "%s", what);
    } else {
        int http = realm_last_error_http_status();
        const char *code = realm_last_error_server_code();
        const char *msg = realm_last_error_message();
        t_record(0, file, line, "%s: got %s (%d), expected %s (%d); detail: \"%s\" [HTTP %d, \"%s\"]",
                 what, realm_status_name(got), (int)got, realm_status_name(expected),
                 (int)expected, msg, http, code);
    }
    return got;
}

void t_check_error(realm_status got, realm_status status, int http, const char *code,
                   const char *what, const char *file, int line)
{
    int got_http = realm_last_error_http_status();
    const char *got_code = realm_last_error_server_code();
    const char *msg = realm_last_error_message();
    const char *link = realm_last_error_link();
    int ok = got == status && got_http == http && msg != NULL && got_code != NULL &&
             link != NULL && strcmp(got_code, code) == 0 && msg[0] != '\0';
    t_record(ok, file, line,
             "%s: expected %s (%d) [HTTP %d, \"%s\"], got %s (%d) [HTTP %d, \"%s\"] message \"%s\"",
             what, realm_status_name(status), (int)status, http, code, realm_status_name(got),
             (int)got, got_http, got_code ? got_code : "(NULL)", msg ? msg : "(NULL)");
}

void t_check_no_error(const char *file, int line)
{
    const char *msg = realm_last_error_message();
    const char *code = realm_last_error_server_code();
    const char *link = realm_last_error_link();
    int http = realm_last_error_http_status();
    t_record(msg && code && link && !msg[0] && !code[0] && !link[0] && http == 0, file, line,
             "error detail is clear (message \"%s\", HTTP %d, code \"%s\", link \"%s\")",
             msg ? msg : "(NULL)", http, code ? code : "(NULL)", link ? link : "(NULL)");
}

/* ---- the emulator ---- */

static char base_url[128];
static int emu_port;

void emu_init(void)
{
    const char *url = getenv("REALM_BASE_URL");
    int port = 0;
    char rest = 0;
    if (url == NULL || sscanf(url, "http://127.0.0.1:%d%c", &port, &rest) != 1 || port <= 0 ||
        port > 65535) {
        fprintf(stderr, "REALM_BASE_URL must be http://127.0.0.1:PORT (got %s); run via tests/c/run.sh\n",
                url ? url : "nothing");
        exit(2);
    }
    snprintf(base_url, sizeof base_url, "%s", url);
    emu_port = port;
}

const char *emu_base_url(void)
{
    return base_url;
}

const char *emu_options(const char *extra)
{
    static char buf[8][512];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "{\"base_url\": \"%s\"%s}", base_url, extra ? extra : "");
    return b;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int emu_http(const char *method, const char *path, const char *body, char **body_out)
{
    struct sockaddr_in addr;
    char head[1024];
    char *resp = NULL, *hdr_end, *payload;
    size_t len = 0, cap = 0, blen = body ? strlen(body) : 0;
    int fd, status = -1;
    struct timeval tv;

    if (body_out)
        *body_out = NULL;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    tv.tv_sec = 30;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)emu_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        goto out;
    /* HTTP/1.0: the answer has a Content-Length or ends at EOF, never chunked. */
    snprintf(head, sizeof head,
             "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
             "Content-Length: %lu\r\n\r\n",
             method, path, emu_port, (unsigned long)blen);
    if (send_all(fd, head, strlen(head)) != 0 || (blen && send_all(fd, body, blen) != 0))
        goto out;
    for (;;) {
        ssize_t r;
        if (cap - len < 4096) {
            char *n = realloc(resp, cap = cap * 2 + 8192);
            if (!n)
                goto out;
            resp = n;
        }
        r = recv(fd, resp + len, cap - len - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        len += (size_t)r;
    }
    resp[len] = '\0';
    if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1) {
        status = -1;
        goto out;
    }
    hdr_end = strstr(resp, "\r\n\r\n");
    payload = hdr_end ? hdr_end + 4 : resp + len;
    if (body_out) {
        size_t plen = (size_t)(resp + len - payload);
        *body_out = malloc(plen + 1);
        if (*body_out) {
            memcpy(*body_out, payload, plen);
            (*body_out)[plen] = '\0';
        }
    }
out:
    free(resp);
    close(fd);
    return status;
}

static void emu_must(const char *method, const char *path, const char *body)
{
    char *resp = NULL;
    int status = emu_http(method, path, body, &resp);
    if (status != 200) {
        fprintf(stderr, "emulator control %s %s %s failed: HTTP %d %s\n", method, path,
                body ? body : "", status, resp ? resp : "");
        free(resp);
        exit(2);
    }
    free(resp);
}

void emu_reset(void)
{
    emu_must("POST", "/_emulator/reset", "{}");
}

void emu_clear_log(void)
{
    emu_must("DELETE", "/_emulator/requests", NULL);
}

void emu_settings(const char *json)
{
    emu_must("POST", "/_emulator/settings", json);
}

void emu_fault(const char *json)
{
    emu_must("POST", "/_emulator/faults", json);
}

void emu_clock(long offset_secs)
{
    char body[64];
    snprintf(body, sizeof body, "{\"offset_secs\": %ld}", offset_secs);
    emu_must("POST", "/_emulator/clock", body);
}

void emu_revoke(const char *user_id)
{
    char path[128];
    snprintf(path, sizeof path, "/_emulator/users/%s/revoke", user_id);
    emu_must("POST", path, "{}");
}

char *emu_log(void)
{
    char *resp = NULL;
    int status = emu_http("GET", "/_emulator/requests", NULL, &resp);
    if (status != 200 || resp == NULL) {
        fprintf(stderr, "GET /_emulator/requests failed: HTTP %d\n", status);
        exit(2);
    }
    return resp;
}

/* Cuts the log down to its "counts" object, {"<METHOD> <path>": n, ...} (keys hold no braces),
 * in place; NULL when there is none. */
static const char *counts_of(char *log)
{
    char *c = strstr(log, "\"counts\"");
    char *end;
    if (c == NULL || (c = strchr(c, '{')) == NULL || (end = strchr(c, '}')) == NULL)
        return NULL;
    end[1] = '\0';
    return c;
}

long emu_count(const char *key)
{
    char *log = emu_log();
    const char *c = counts_of(log);
    char needle[512];
    long n = 0;
    snprintf(needle, sizeof needle, "\"%s\":", key);
    if (c) {
        const char *hit = strstr(c, needle);
        if (hit)
            n = strtol(hit + strlen(needle), NULL, 10);
    }
    free(log);
    return n;
}

long emu_total(void)
{
    char *log = emu_log();
    const char *c = counts_of(log);
    long n = 0;
    while (c && (c = strstr(c, "\":")) != NULL) {
        c += 2;
        n += strtol(c, NULL, 10);
    }
    free(log);
    return n;
}

long count_of(const char *haystack, const char *needle)
{
    long n = 0;
    size_t step = strlen(needle);
    while (haystack && step && (haystack = strstr(haystack, needle)) != NULL) {
        n++;
        haystack += step;
    }
    return n;
}

realm_client *new_client(const char *extra)
{
    realm_client *c = NULL;
    CHECK_STATUS(realm_client_new(APP_ID, emu_options(extra), &c), REALM_OK);
    return c;
}

realm_client *logged_in_client(const char *extra)
{
    realm_client *c = new_client(extra);
    if (c)
        CHECK_STATUS(realm_login_email_password(c, DEMO_EMAIL, DEMO_PASSWORD), REALM_OK);
    return c;
}

void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

double now_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
