#define CURL_DISABLE_DEPRECATION 1
#include "ccurl_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// libcurl's entry points with their own prototypes (curl.h, easy.h). The variadic ones are
// called through pointers of their variadic type: calling them through a non-variadic
// prototype would be undefined behaviour (and wrong on ABIs that pass varargs differently).
typedef CURLcode (*global_init_fn)(long flags);
typedef curl_version_info_data *(*version_info_fn)(CURLversion stamp);
typedef CURL *(*easy_init_fn)(void);
typedef void (*easy_cleanup_fn)(CURL *handle);
typedef CURLcode (*easy_perform_fn)(CURL *handle);
typedef const char *(*easy_strerror_fn)(CURLcode code);
typedef CURLcode (*easy_setopt_fn)(CURL *handle, CURLoption option, ...);
typedef CURLcode (*easy_getinfo_fn)(CURL *handle, CURLINFO info, ...);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *list, const char *text);
typedef void (*slist_free_all_fn)(struct curl_slist *list);

static struct {
    global_init_fn global_init;
    version_info_fn version_info;
    easy_init_fn easy_init;
    easy_cleanup_fn easy_cleanup;
    easy_perform_fn easy_perform;
    easy_strerror_fn easy_strerror;
    easy_setopt_fn easy_setopt;
    easy_getinfo_fn easy_getinfo;
    slist_append_fn slist_append;
    slist_free_all_fn slist_free_all;
    const curl_version_info_data *version;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result = -1;
static char load_error[512] = "";

// dlsym's result as a function pointer: POSIX guarantees the conversion works.
#define BIND(field, name)                                                                      \
    do {                                                                                       \
        void *symbol = dlsym(handle, name);                                                    \
        if (symbol == NULL) {                                                                  \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name);           \
            return;                                                                            \
        }                                                                                      \
        memcpy(&curl.field, &symbol, sizeof symbol);                                           \
    } while (0)

static void load(void) {
    // RTLD_LOCAL: libcurl's symbols (and OpenSSL's) stay out of the global namespace.
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason != NULL ? reason : "cannot load libcurl.so.4");
        return;
    }
    BIND(global_init, "curl_global_init");
    BIND(version_info, "curl_version_info");
    BIND(easy_init, "curl_easy_init");
    BIND(easy_cleanup, "curl_easy_cleanup");
    BIND(easy_perform, "curl_easy_perform");
    BIND(easy_strerror, "curl_easy_strerror");
    BIND(easy_setopt, "curl_easy_setopt");
    BIND(easy_getinfo, "curl_easy_getinfo");
    BIND(slist_append, "curl_slist_append");
    BIND(slist_free_all, "curl_slist_free_all");
    // Not thread-safe before libcurl 7.84: pthread_once runs it exactly once, before any handle.
    CURLcode initialized = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (initialized != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", curl.easy_strerror(initialized));
        return;
    }
    curl.version = curl.version_info(CURLVERSION_NOW);
    load_result = 0;
}

int ccurl_load(void) {
    pthread_once(&load_once, load);
    return load_result;
}

const char *ccurl_load_error(void) { return load_error; }

unsigned int ccurl_version_num(void) { return curl.version != NULL ? curl.version->version_num : 0; }

const char *ccurl_version(void) { return curl.version != NULL ? curl.version->version : ""; }

CURL *ccurl_easy_init(void) { return curl.easy_init(); }

void ccurl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }

CURLcode ccurl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }

const char *ccurl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}

CURLcode ccurl_setopt_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback) {
    return curl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

CURLcode ccurl_setopt_post_body(CURL *handle, const void *data, curl_off_t size) {
    // The size first: without it, libcurl would take the body for a C string.
    CURLcode result = curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, size);
    if (result == CURLE_OK) result = curl.easy_setopt(handle, CURLOPT_POSTFIELDS, data);
    return result;
}

// The CURLPROTO_ bits for a CURLOPT_PROTOCOLS_STR list, for libcurl before 7.85.
static long protocol_mask(const char *list) {
    static const struct { const char *name; long bit; } known[] = {
        {"http", CURLPROTO_HTTP}, {"https", CURLPROTO_HTTPS}, {"file", CURLPROTO_FILE}};
    long mask = 0;
    const char *start = list;
    while (*start != '\0') {
        size_t length = strcspn(start, ",");
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strlen(known[i].name) == length && strncmp(known[i].name, start, length) == 0) mask |= known[i].bit;
        }
        start += length;
        if (*start == ',') start++;
    }
    return mask;
}

CURLcode ccurl_restrict_protocols(CURL *handle, const char *protocols, const char *redirect_protocols) {
    CURLcode result;
    if (ccurl_version_num() >= 0x075500) {
        result = curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols);
        if (result == CURLE_OK) result = curl.easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols);
    } else {
        result = curl.easy_setopt(handle, CURLOPT_PROTOCOLS, protocol_mask(protocols));
        if (result == CURLE_OK) result = curl.easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, protocol_mask(redirect_protocols));
    }
    return result;
}

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode ccurl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode ccurl_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    // libcurl stores a `char *` through the pointer it is given.
    char *text = NULL;
    CURLcode result = curl.easy_getinfo(handle, info, &text);
    *value = text;
    return result;
}

CURLcode ccurl_getinfo_certinfo(CURL *handle, struct curl_certinfo **value) {
    // libcurl stores a `struct curl_certinfo *` through the pointer it is given.
    struct curl_certinfo *chain = NULL;
    CURLcode result = curl.easy_getinfo(handle, CURLINFO_CERTINFO, &chain);
    *value = chain;
    return result;
}

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text) {
    return curl.slist_append(list, text);
}

void ccurl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }
