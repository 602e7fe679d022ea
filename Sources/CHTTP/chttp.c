// libcurl through dlopen: the few entry points and option numbers hhbench uses, declared here
// (they are libcurl's stable ABI, curl/curl.h), so no curl headers are needed to build.
#include "chttp.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void CURL;
struct curl_slist;
typedef int CURLcode;

enum {
    HH_CURLOPT_URL = 10002, HH_CURLOPT_ERRORBUFFER = 10010, HH_CURLOPT_POSTFIELDS = 10015, HH_CURLOPT_USERAGENT = 10018,
    HH_CURLOPT_HTTPHEADER = 10023, HH_CURLOPT_CUSTOMREQUEST = 10036, HH_CURLOPT_POST = 47, HH_CURLOPT_NOSIGNAL = 99,
    HH_CURLOPT_TIMEOUT_MS = 155, HH_CURLOPT_CONNECTTIMEOUT_MS = 156, HH_CURLOPT_PROTOCOLS = 181,
    HH_CURLOPT_WRITEFUNCTION = 20011, HH_CURLOPT_WRITEDATA = 10001, HH_CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    HH_CURLINFO_RESPONSE_CODE = 0x200002, HH_CURLPROTO_HTTP = 1, HH_CURLPROTO_HTTPS = 2, HH_CURL_ERROR_SIZE = 256,
};

static struct {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, int, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    const char *missing;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
#if defined(__APPLE__)
    const char *names[] = {"libcurl.4.dylib", "/usr/lib/libcurl.4.dylib", NULL};
#else
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", NULL};
#endif
    void *library = NULL;
    for (int i = 0; names[i] && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        curl.missing = "libcurl is not installed (apt-get install libcurl4)";
        return;
    }
#define LOAD(field, symbol)                                   \
    *(void **)&curl.field = dlsym(library, symbol);           \
    if (!curl.field) { curl.missing = "libcurl lacks " symbol; return; }
    LOAD(easy_init, "curl_easy_init")
    LOAD(easy_setopt, "curl_easy_setopt")
    LOAD(easy_perform, "curl_easy_perform")
    LOAD(easy_getinfo, "curl_easy_getinfo")
    LOAD(easy_cleanup, "curl_easy_cleanup")
    LOAD(easy_strerror, "curl_easy_strerror")
    LOAD(slist_append, "curl_slist_append")
    LOAD(slist_free_all, "curl_slist_free_all")
#undef LOAD
}

// The answer's body, kept (chttp_request): grown as it arrives, up to 16 MB.
struct answer { char *data; size_t length; size_t capacity; };

static size_t keep(char *data, size_t size, size_t count, void *context) {
    struct answer *answer = context;
    size_t bytes = size * count;
    if (answer->length + bytes + 1 > (size_t)16 << 20) return 0;  // too big: libcurl stops with an error
    if (answer->length + bytes + 1 > answer->capacity) {
        size_t capacity = answer->capacity ? answer->capacity : 4096;
        while (capacity < answer->length + bytes + 1) capacity *= 2;
        char *grown = realloc(answer->data, capacity);
        if (!grown) return 0;
        answer->data = grown;
        answer->capacity = capacity;
    }
    memcpy(answer->data + answer->length, data, bytes);
    answer->length += bytes;
    answer->data[answer->length] = 0;
    return bytes;
}

int chttp_request(const char *url, const char *method, const char *const *headers, const char *user_agent,
                  const char *body, size_t body_length, long timeout_ms, long *status,
                  char **response, size_t *response_length, char *error, size_t error_length) {
    *status = 0;
    *response = NULL;
    *response_length = 0;
    pthread_once(&load_once, load);
    if (curl.missing) {
        snprintf(error, error_length, "%s", curl.missing);
        return -1;
    }
    CURL *handle = curl.easy_init();
    if (!handle) {
        snprintf(error, error_length, "libcurl could not start a request");
        return -1;
    }
    char message[HH_CURL_ERROR_SIZE] = {0};
    struct curl_slist *list = curl.slist_append(NULL, "Expect:");
    for (int i = 0; headers && headers[i]; i++) list = curl.slist_append(list, headers[i]);
    struct answer answer = {NULL, 0, 0};
    curl.easy_setopt(handle, HH_CURLOPT_URL, url);
    curl.easy_setopt(handle, HH_CURLOPT_PROTOCOLS, (long)(HH_CURLPROTO_HTTP | HH_CURLPROTO_HTTPS));
    curl.easy_setopt(handle, HH_CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, HH_CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(handle, HH_CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl.easy_setopt(handle, HH_CURLOPT_ERRORBUFFER, message);
    curl.easy_setopt(handle, HH_CURLOPT_USERAGENT, user_agent);
    curl.easy_setopt(handle, HH_CURLOPT_HTTPHEADER, list);
    if (body) {
        curl.easy_setopt(handle, HH_CURLOPT_POST, 1L);
        curl.easy_setopt(handle, HH_CURLOPT_POSTFIELDS, body);
        curl.easy_setopt(handle, HH_CURLOPT_POSTFIELDSIZE_LARGE, (long long)body_length);
    }
    if (strcmp(method, body ? "POST" : "GET") != 0) curl.easy_setopt(handle, HH_CURLOPT_CUSTOMREQUEST, method);
    curl.easy_setopt(handle, HH_CURLOPT_WRITEFUNCTION, keep);
    curl.easy_setopt(handle, HH_CURLOPT_WRITEDATA, &answer);
    CURLcode result = curl.easy_perform(handle);
    int outcome = 0;
    if (result == 0) {
        curl.easy_getinfo(handle, HH_CURLINFO_RESPONSE_CODE, status);
        *response = answer.data;
        *response_length = answer.length;
    } else {
        snprintf(error, error_length, "%s", message[0] ? message : curl.easy_strerror(result));
        free(answer.data);
        outcome = -1;
    }
    curl.easy_cleanup(handle);
    curl.slist_free_all(list);
    return outcome;
}

void chttp_free(char *response) { free(response); }

int chttp_send(const char *url, const char *method, const char *content_type, const char *user_agent,
               const char *body, size_t body_length, long timeout_ms, long *status, char *error, size_t error_length) {
    char header[256];
    snprintf(header, sizeof header, "Content-Type: %s", content_type);
    const char *headers[] = {header, NULL};
    char *response = NULL;
    size_t response_length = 0;
    // A body is always sent (POST, or the method given over it); the answer's body is not needed.
    int outcome = chttp_request(url, method, headers, user_agent, body ? body : "", body ? body_length : 0, timeout_ms, status,
                                &response, &response_length, error, error_length);
    free(response);
    return outcome;
}
