// expat's C API (Debian: libexpat1-dev), for GuestPrepConfig's ExpatXMLReader.
#include <expat.h>
