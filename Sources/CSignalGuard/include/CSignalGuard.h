// A guard around calls into C libraries that can fault on damaged input (libhdf5 1.10
// reads out of bounds on some corrupt global heaps: docs/reliability.md). While a thread
// is inside a guarded call, a SIGSEGV or SIGBUS on that thread writes the message the
// guard was given to standard error and ends the process with status 2, bad input,
// instead of a crash dump. Faults anywhere else go to the handler that was there before.
// Entry point: CellData/HDF5ReadGuard.swift.
#ifndef WBDIT_CSIGNALGUARD_H
#define WBDIT_CSIGNALGUARD_H

#include <stddef.h>

// Starts a guarded call on this thread; `message` (one line, newline included) is copied,
// at most 1023 bytes. Calls nest; a fault writes the innermost message. Installs the
// handlers on first use.
void wbdit_signal_guard_begin(const char *message, size_t length);

// Ends this thread's guarded call.
void wbdit_signal_guard_end(void);

#endif
