/* parse.c: the HTTP/1.x request parser of examples/http: the request line, the
 * headers it needs, and the target turned into a file name in the image. */
#include "nabla_lib.h"
#include "http.h"

/*
 * Everything here reads untrusted bytes from the network, within the bounds
 * the caller gives: no byte past `len` is read, and every write into the
 * request's fixed buffers is checked against their size.
 */

/* RFC 9110's tchar: the bytes of a method or a header's name. */
static bool is_tchar(unsigned char ch)
{
    if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
        (ch >= 'A' && ch <= 'Z'))
        return true;
    return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* True when a[0..n) equals the NUL-terminated (b), ignoring ASCII case. */
static bool equals_nocase(const char *a, size_t n, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\0' || lower((unsigned char)a[i]) != lower(b[i]))
            return false;
    return b[n] == '\0';
}

static int hex_value(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = lower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

size_t http_leading_empty_lines(const char *buf, size_t len)
{
    size_t i = 0;
    for (;;) {
        if (i < len && buf[i] == '\n')
            i++;
        else if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
            i += 2;
        else
            return i;
    }
}

size_t http_header_end(const char *buf, size_t len)
{
    /* A line ends in LF (CR LF, or a lone LF as RFC 9112 lets a server
     * accept); the section ends at the first empty line. */
    const char *p = buf, *end = buf + len;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return 0;
        size_t line = (size_t)(nl - p);
        if (line == 0 || (line == 1 && p[0] == '\r'))
            return (size_t)(nl + 1 - buf);
        p = nl + 1;
    }
}

/* The next line of buf[*at .. len): its start and length without CR LF. */
static const char *next_line(const char *buf, size_t len, size_t *at, size_t *n)
{
    const char *start = buf + *at;
    const char *nl = memchr(start, '\n', len - *at);
    if (nl == NULL)
        return NULL;
    *n = (size_t)(nl - start);
    if (*n > 0 && start[*n - 1] == '\r')
        (*n)--;
    *at = (size_t)(nl + 1 - buf);
    return start;
}

/* Splits the request line; the status it earns, 0 when well formed. */
static int parse_request_line(const char *line, size_t n,
                              struct http_request *req, const char **target,
                              size_t *target_len)
{
    const char *sp1 = memchr(line, ' ', n);
    if (sp1 == NULL || sp1 == line)
        return 400;
    const char *rest = sp1 + 1;
    const char *sp2 = memchr(rest, ' ', (size_t)(line + n - rest));
    if (sp2 == NULL || sp2 == rest)
        return 400;
    size_t method_len = (size_t)(sp1 - line);
    for (size_t i = 0; i < method_len; i++)
        if (!is_tchar((unsigned char)line[i]))
            return 400;
    *target = rest;
    *target_len = (size_t)(sp2 - rest);
    for (size_t i = 0; i < *target_len; i++)
        if ((unsigned char)rest[i] <= 0x20 || (unsigned char)rest[i] >= 0x7f)
            return 400;
    const char *version = sp2 + 1;
    size_t version_len = (size_t)(line + n - version);
    if (version_len != 8 || memcmp(version, "HTTP/", 5) != 0 ||
        version[5] < '0' || version[5] > '9' || version[6] != '.' ||
        version[7] < '0' || version[7] > '9')
        return 400;
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
        return 505;
    req->http10 = version[7] == '0';
    if (method_len == 4 && memcmp(line, "HEAD", 4) == 0)
        req->head = true;
    else if (method_len != 3 || memcmp(line, "GET", 3) != 0)
        return 405;
    return 0;
}

/* What the headers say; the status they earn, 0 when acceptable. */
struct headers {
    int hosts;
    bool close, keep_alive;
};

/* Reads the comma-separated tokens of a Connection header. */
static void connection_tokens(const char *v, size_t n, struct headers *h)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (equals_nocase(v + start, i - start, "close"))
            h->close = true;
        else if (equals_nocase(v + start, i - start, "keep-alive"))
            h->keep_alive = true;
    }
}

static int parse_header(const char *line, size_t n, struct headers *h)
{
    const char *colon = memchr(line, ':', n);
    if (colon == NULL || colon == line)
        return 400; /* also a folded line (it starts with a space) */
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar((unsigned char)line[i]))
            return 400;
    const char *v = colon + 1, *end = line + n;
    for (const char *p = v; p < end; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
            return 400; /* NUL, a lone CR, other controls */
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vn = (size_t)(end - v);
    if (equals_nocase(line, name_len, "host"))
        h->hosts++;
    else if (equals_nocase(line, name_len, "connection"))
        connection_tokens(v, vn, h);
    else if (equals_nocase(line, name_len, "transfer-encoding"))
        return 400; /* a body: GET and HEAD take none here */
    else if (equals_nocase(line, name_len, "content-length")) {
        if (vn == 0)
            return 400;
        for (size_t i = 0; i < vn; i++)
            if (v[i] != '0') /* any digit but 0 is a body; anything else bad */
                return 400;
    }
    return 0;
}

/*
 * The target (origin form "/a/b?q", or absolute form "http://host/a/b") to
 * the file's name: percent-decoded, the query dropped, the leading '/'
 * stripped, "index.html" appended to a directory's path. A '..' segment or a
 * NUL is refused (400); a name too long for the image is 404.
 */
static int target_to_name(const char *t, size_t n, struct http_request *req)
{
    size_t skip = 0;
    if (n >= 7 && equals_nocase(t, 7, "http://"))
        skip = 7;
    else if (n >= 8 && equals_nocase(t, 8, "https://"))
        skip = 8;
    if (skip > 0) {
        const char *slash = memchr(t + skip, '/', n - skip);
        if (slash == NULL) {
            t = "/";
            n = 1;
        } else {
            n -= (size_t)(slash - t);
            t = slash;
        }
    }
    if (n == 0 || t[0] != '/')
        return 400;
    size_t path_len = 0;
    while (path_len < n && t[path_len] != '?' && t[path_len] != '#')
        path_len++;
    if (path_len <= HTTP_LOCATION_MAX) {
        memcpy(req->raw_path, t, path_len);
        req->raw_path[path_len] = '\0';
    }
    char *out = req->name;
    size_t len = 0;
    bool too_long = false;
    for (size_t i = 1; i < path_len; i++) {
        int ch = (unsigned char)t[i];
        if (ch == '%') {
            int hi = i + 2 < path_len ? hex_value(t[i + 1]) : -1;
            int lo = i + 2 < path_len ? hex_value(t[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return 400;
            ch = hi * 16 + lo;
            i += 2;
            if (ch == 0)
                return 400;
        }
        if (len < NABLA_TARFS_NAME_MAX)
            out[len++] = (char)ch;
        else
            too_long = true;
    }
    out[len] = '\0';
    /* '..' segments, decoded or not, never reach a lookup (which would not
     * resolve them anyway: names are exact). */
    for (size_t s = 0; s <= len;) {
        size_t e = s;
        while (e < len && out[e] != '/')
            e++;
        if (e - s == 2 && out[s] == '.' && out[s + 1] == '.')
            return 400;
        s = e + 1;
    }
    if (too_long)
        return 404;
    if (len == 0 || out[len - 1] == '/') {
        if (len + 10 > NABLA_TARFS_NAME_MAX)
            return 404;
        memcpy(out + len, "index.html", 11);
    }
    return 0;
}

void http_parse(const char *buf, size_t len, struct http_request *req)
{
    *req = (struct http_request){.keep_alive = false};
    size_t at = 0, n;
    const char *line = next_line(buf, len, &at, &n);
    const char *target = NULL;
    size_t target_len = 0;
    req->status = line == NULL
                      ? 400
                      : parse_request_line(line, n, req, &target, &target_len);
    if (req->status != 0)
        return;
    struct headers h = {0};
    while ((line = next_line(buf, len, &at, &n)) != NULL && n > 0) {
        req->status = parse_header(line, n, &h);
        if (req->status != 0)
            return;
    }
    /* HTTP/1.1 requires exactly one Host (RFC 9112, 3.2): 400 otherwise. */
    if (h.hosts > 1 || (!req->http10 && h.hosts == 0)) {
        req->status = 400;
        return;
    }
    req->keep_alive = req->http10 ? h.keep_alive && !h.close : !h.close;
    req->status = target_to_name(target, target_len, req);
}

static const struct {
    const char *ext, *type;
} TYPES[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"woff2", "font/woff2"},
    {"pdf", "application/pdf"},
};

const char *http_content_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash != NULL ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base)
        for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
            if (equals_nocase(dot + 1, strlen(dot + 1), TYPES[i].ext))
                return TYPES[i].type;
    return "application/octet-stream";
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Internal Server Error";
    }
}
