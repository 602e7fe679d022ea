#ifndef CHTTP_H
#define CHTTP_H

#include <stddef.h>

/// Sends one HTTP request through the system's libcurl, loaded with dlopen on first use, so that
/// hhbench does not link libcurl (and its TLS and LDAP libraries) into every start: Foundation's
/// URLSession doubled the start of every command. Returns 0 when the request got an answer
/// (`*status` is its HTTP status), -1 otherwise, with the reason in `error`. http and https only;
/// redirects are not followed.
int chttp_send(const char *url, const char *method, const char *content_type, const char *user_agent,
               const char *body, size_t body_length, long timeout_ms, long *status, char *error, size_t error_length);

/// One request with headers ("Name: value", NULL-terminated) and, when `body` is not NULL, a
/// body; the answer's body (up to 16 MB) is returned in `*response`, to be freed with chttp_free.
int chttp_request(const char *url, const char *method, const char *const *headers, const char *user_agent,
                  const char *body, size_t body_length, long timeout_ms, long *status,
                  char **response, size_t *response_length, char *error, size_t error_length);
void chttp_free(char *response);

#endif
