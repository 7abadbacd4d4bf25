#ifndef GUESTPREP_CYAML_SHIM_H
#define GUESTPREP_CYAML_SHIM_H
#include <yaml.h>
#endif
