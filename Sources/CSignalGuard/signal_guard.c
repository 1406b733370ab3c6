// See include/CSignalGuard.h. The handler uses only async-signal-safe calls (write, _exit,
// sigaction) and thread-local state set before the guarded call begins.
#include "CSignalGuard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

enum { MESSAGE_CAPACITY = 1024, DEPTH = 8 };

// Guarded calls nest (a dataset's read inside the dataset's opening): one message a level,
// the innermost written; deeper than DEPTH, the deepest kept level's.
static _Thread_local volatile sig_atomic_t depth;
static _Thread_local char message[DEPTH][MESSAGE_CAPACITY];
static _Thread_local size_t message_length[DEPTH];

static struct sigaction previous_segv, previous_bus;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    if (depth > 0) {
        int level = (depth < DEPTH ? depth : DEPTH) - 1;
        (void)!write(STDERR_FILENO, message[level], message_length[level]);
        _exit(2);
    }
    // Not ours: hand the fault to the handler before us (the Swift runtime's backtracer,
    // or the default action) and let the faulting instruction run again.
    struct sigaction *previous = signal_number == SIGBUS ? &previous_bus : &previous_segv;
    sigaction(signal_number, previous, NULL);
    (void)info;
    (void)context;
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
}

void wbdit_signal_guard_begin(const char *text, size_t length) {
    pthread_once(&installed, install);
    if (depth < DEPTH) {
        message_length[depth] = length < MESSAGE_CAPACITY ? length : MESSAGE_CAPACITY - 1;
        memcpy(message[depth], text, message_length[depth]);
    }
    depth = depth + 1;
}

void wbdit_signal_guard_end(void) {
    if (depth > 0) depth = depth - 1;
}
