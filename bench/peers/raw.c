/* The practical floor: a raw HTTP/1.1 keep-alive client on one socket (plain, or OpenSSL for
 * https). The GraphQL request is formatted once and written with one write(); the response is
 * read into one reused buffer (status line, Content-Length, body) and not parsed further.
 * Build: gcc -O2 raw.c -lssl -lcrypto */
#include "common.h"
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include <openssl/err.h>

static int fd = -1;
static SSL *ssl;
static char host[256];
static char rbuf[1 << 16];
static size_t rlen; /* bytes in rbuf not yet consumed */

static void die(const char *what) {
    fprintf(stderr, "raw: %s: %s\n", what, strerror(errno));
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void io_write(const char *p, size_t n) {
    while (n) {
        ssize_t w = ssl ? SSL_write(ssl, p, (int)n) : write(fd, p, n);
        if (w <= 0) die("write");
        p += w;
        n -= (size_t)w;
    }
}

static size_t io_read(char *p, size_t cap) {
    ssize_t r = ssl ? SSL_read(ssl, p, (int)cap) : read(fd, p, cap);
    if (r <= 0) die("read (connection closed?)");
    return (size_t)r;
}

static void connect_url(const char *url, const char *ca_file) {
    int tls = !strncmp(url, "https://", 8);
    const char *hp = url + (tls ? 8 : 7);
    snprintf(host, sizeof host, "%.*s", (int)strcspn(hp, "/"), hp);
    char name[256];
    snprintf(name, sizeof name, "%s", host);
    char *colon = strrchr(name, ':');
    int port = tls ? 443 : 80;
    if (colon) { *colon = 0; port = atoi(colon + 1); }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, name, &sa.sin_addr) != 1) { fprintf(stderr, "raw: IPv4 only\n"); exit(2); }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (tls) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx) die("SSL_CTX_new");
        if (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) die("CA file");
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        ssl = SSL_new(ctx);
        SSL_set1_host(ssl, name);
        SSL_set_fd(ssl, fd);
        if (SSL_connect(ssl) != 1) die("TLS handshake");
    }
}

/* Reads one response; returns the status and points *body at the body inside rbuf. */
static int read_response(const char **body, size_t *body_len) {
    char *end;
    while (!(end = memmem(rbuf, rlen, "\r\n\r\n", 4))) {
        if (rlen == sizeof rbuf) { fprintf(stderr, "raw: header too large\n"); exit(1); }
        rlen += io_read(rbuf + rlen, sizeof rbuf - rlen);
    }
    size_t head = (size_t)(end - rbuf) + 4;
    int status = atoi(rbuf + 9);
    size_t clen = 0;
    for (char *line = memchr(rbuf, '\n', head); line && line < rbuf + head; line = memchr(line, '\n', (size_t)(rbuf + head - line))) {
        line++;
        if (!strncasecmp(line, "content-length:", 15)) { clen = strtoul(line + 15, NULL, 10); break; }
    }
    if (head + clen > sizeof rbuf) { fprintf(stderr, "raw: body too large\n"); exit(1); }
    while (rlen < head + clen) rlen += io_read(rbuf + rlen, sizeof rbuf - rlen);
    *body = rbuf + head;
    *body_len = clen;
    return status;
}

static void consume(size_t n) { /* drop one response from rbuf */
    memmove(rbuf, rbuf + n, rlen - n);
    rlen -= n;
}

static int request(const char *method, const char *path, const char *token, const char *body,
                   char **copy_body) {
    char req[4096];
    size_t n = (size_t)snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n",
                                method, path, host);
    if (token) n += (size_t)snprintf(req + n, sizeof req - n, "Authorization: Bearer %s\r\n", token);
    if (body)
        n += (size_t)snprintf(req + n, sizeof req - n,
                              "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                              strlen(body), body);
    else
        n += (size_t)snprintf(req + n, sizeof req - n, "\r\n");
    io_write(req, n);
    const char *b;
    size_t bl;
    int status = read_response(&b, &bl);
    if (copy_body) *copy_body = strndup(b, bl);
    consume((size_t)(b - rbuf) + bl);
    return status;
}

int main(int argc, char **argv) {
    struct opts o = parse_opts(argc, argv);
    connect_url(o.url, o.ca_file);
    if (o.cold && request("GET", LOCATION_PATH, NULL, NULL, NULL) != 200) { fprintf(stderr, "raw: location\n"); return 1; }
    char *login = NULL;
    if (request("POST", LOGIN_PATH, NULL, LOGIN_BODY, &login) != 200) { fprintf(stderr, "raw: login\n"); return 1; }
    char *token = find_token(login, strlen(login));
    if (!token) { fprintf(stderr, "raw: no access_token\n"); return 1; }
    if (o.cold && request("GET", PROFILE_PATH, token, NULL, NULL) != 200) { fprintf(stderr, "raw: profile\n"); return 1; }

    /* The loop: the request is formatted once. */
    char req[4096];
    int rn = snprintf(req, sizeof req,
                      "POST " GRAPHQL_PATH " HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n"
                      "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n" GRAPHQL_BODY,
                      host, token, strlen(GRAPHQL_BODY));
    /* -S: head and body in two writes, as ureq sends them (to price that split). */
    size_t split = o.split ? (size_t)rn - strlen(GRAPHQL_BODY) : (size_t)rn;
    long ok = 0;
    double c0 = cpu_us(), t0 = now_us();
    for (long i = 0; i < o.n; i++) {
        io_write(req, split);
        if (split < (size_t)rn) io_write(req + split, (size_t)rn - split);
        const char *b;
        size_t bl;
        if (read_response(&b, &bl) == 200 && bl > 0) ok++;
        consume((size_t)(b - rbuf) + bl);
    }
    double t1 = now_us(), c1 = cpu_us();
    report(o.split ? (ssl ? "raw-openssl-split" : "raw-split") : (ssl ? "raw-openssl" : "raw"), &o, ok, t1 - t0, c1 - c0);
    free(token);
    free(login);
    return ok == o.n ? 0 : 1;
}
