#ifndef GUESTPREP_CCURL_SHIM_H
#define GUESTPREP_CCURL_SHIM_H
#include <curl/curl.h>
#endif
