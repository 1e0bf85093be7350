/* http.h: the parts of examples/http: the request parser (parse.c) and the
 * server (server.c) that main (http.c) starts. */
#ifndef EXAMPLES_HTTP_H
#define EXAMPLES_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nabla_tarfs.h"

/* The longest raw path echoed back in a redirect's Location header. */
#define HTTP_LOCATION_MAX 600

/* One parsed request: what to serve, or which error to answer. */
struct http_request {
    int status;      /* 0: serve `name`; else the error status to answer */
    bool head;       /* HEAD (headers only) rather than GET */
    bool http10;     /* an HTTP/1.0 request */
    bool keep_alive; /* the connection stays open after the answer */
    /* The file's name in the image: the decoded path without its leading
     * '/', "index.html" appended when it ends in '/' or is empty. */
    char name[NABLA_TARFS_NAME_MAX + 1];
    /* The path as sent (before '?'), for a directory's redirect; empty when
     * longer than HTTP_LOCATION_MAX. */
    char raw_path[HTTP_LOCATION_MAX + 1];
};

/* Bytes of empty lines (CRLF or LF) at the start of buf[0..len), which a
 * server ignores before a request line (RFC 9112, 2.2). */
size_t http_leading_empty_lines(const char *buf, size_t len);

/* The length of the header section at the start of buf[0..len), up to and
 * including its blank line; 0 when it is not complete yet. */
size_t http_header_end(const char *buf, size_t len);

/* Parses a complete header section buf[0..len) into (req). */
void http_parse(const char *buf, size_t len, struct http_request *req);

/* The Content-Type for a file name, from its extension. */
const char *http_content_type(const char *name);

/*
 * Listens on TCP (port) and serves the files of (image) from then on, from
 * lwIP's callbacks (the caller polls the stack); prints one line when ready.
 * False, after one line saying why, when it cannot listen.
 */
bool http_serve(struct nabla_tarfs *image, uint16_t port, uint32_t idle_ms);

/* The reason phrase of a status this server answers. */
const char *http_reason(int status);

#endif /* EXAMPLES_HTTP_H */
