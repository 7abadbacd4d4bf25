#ifndef GUESTPREP_CSYSTEMD_SHIM_H
#define GUESTPREP_CSYSTEMD_SHIM_H
#include <sys/uio.h>
/* adjtimex(2) and struct timex, for guestprep health's time_sync (not in Swift's Glibc module). */
#include <sys/timex.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
