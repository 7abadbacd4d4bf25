#ifndef GUESTPREP_CFUZZER_H
#define GUESTPREP_CFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver for programs with a main of their own (libclang_rt.fuzzer, linked by
// -sanitize=fuzzer): parses libFuzzer's options from argv and runs `callback` on each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
