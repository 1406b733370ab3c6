// See include/CSignalGuard.h. The handler uses only async-signal-safe calls (write, _exit,
// sigaction) and thread-local state set before the guarded call begins.
#include "CSignalGuard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

enum { MESSAGE_CAPACITY = 1024 };

static _Thread_local volatile sig_atomic_t guarded;
static _Thread_local char message[MESSAGE_CAPACITY];
static _Thread_local size_t message_length;

static struct sigaction previous_segv, previous_bus;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    if (guarded) {
        (void)!write(STDERR_FILENO, message, message_length);
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
    message_length = length < MESSAGE_CAPACITY ? length : MESSAGE_CAPACITY - 1;
    memcpy(message, text, message_length);
    guarded = 1;
}

void wbdit_signal_guard_end(void) { guarded = 0; }
