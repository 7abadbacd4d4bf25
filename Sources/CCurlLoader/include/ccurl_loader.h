#ifndef GUESTPREP_CCURL_LOADER_H
#define GUESTPREP_CCURL_LOADER_H

// libcurl, bound with dlopen("libcurl.so.4") on first use instead of linked.
//
// Linking libcurl would load it and about twenty libraries it needs (OpenSSL, nghttp2, ldap,
// kerberos, ...) at every start of guestprep, which sits on the boot critical path; only the
// driver step downloads anything. <curl/curl.h> is included for its types and constants only:
// nothing here refers to a libcurl symbol, so the binary has no libcurl in its DT_NEEDED
// (`readelf -d $(scripts/build-release.sh | tail -1) | grep NEEDED`).
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call through a
// pointer; these wrappers take one typed argument each and call libcurl through function
// pointers of its variadic types, so the argument is passed as libcurl reads it.

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Loads libcurl.so.4 and runs curl_global_init, once per process (thread-safe). Returns 0 when
/// libcurl is usable, -1 otherwise; then ccurl_load_error() says why.
int ccurl_load(void);
/// Why ccurl_load failed (dlopen's or dlsym's message), or "" when it did not.
const char *ccurl_load_error(void);

/// The loaded libcurl's version as LIBCURL_VERSION_NUM (0x075801 for 7.88.1). ccurl_load first.
unsigned int ccurl_version_num(void);
/// The loaded libcurl's version text ("7.88.1"). ccurl_load first.
const char *ccurl_version(void);

// Each of these needs a successful ccurl_load first.
CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
CURLcode ccurl_easy_perform(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
/// For the options that take a `void *` or `char *` buffer (CURLOPT_WRITEDATA, CURLOPT_XFERINFODATA,
/// CURLOPT_ERRORBUFFER, ...).
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/// CURLOPT_WRITEFUNCTION (or CURLOPT_HEADERFUNCTION).
CURLcode ccurl_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);
/// CURLOPT_XFERINFOFUNCTION.
CURLcode ccurl_setopt_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback);
/// A POST body of `size` bytes at `data` (CURLOPT_POSTFIELDSIZE_LARGE, then CURLOPT_POSTFIELDS):
/// libcurl does not copy it, so it must stay in place until the transfer is over; binary-safe,
/// since the size is given. Makes the next transfer a POST.
CURLcode ccurl_setopt_post_body(CURL *handle, const void *data, curl_off_t size);
/// Allows `protocols` (a CURLOPT_PROTOCOLS_STR list such as "https,http,file") for the URL and
/// `redirect_protocols` for redirects: the _STR options on libcurl 7.85 and later, the bit masks
/// before.
CURLcode ccurl_restrict_protocols(CURL *handle, const char *protocols, const char *redirect_protocols);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/// Info that is a string owned by the handle (CURLINFO_PRIMARY_IP, CURLINFO_EFFECTIVE_URL).
CURLcode ccurl_getinfo_string(CURL *handle, CURLINFO info, const char **value);

/// CURLINFO_CERTINFO: the server certificate chain of the last transfer made with
/// CURLOPT_CERTINFO set, leaf first; each certificate a list of "name:content" texts (the
/// OpenSSL backend gives "Cert:" with the PEM). Owned by the handle.
CURLcode ccurl_getinfo_certinfo(CURL *handle, struct curl_certinfo **value);

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text);
void ccurl_slist_free_all(struct curl_slist *list);

#ifdef __cplusplus
}
#endif

#endif
