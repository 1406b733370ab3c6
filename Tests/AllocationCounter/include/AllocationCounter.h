// Counts heap allocations made while counting is on by the threads that asked to be
// watched, by interposing the C allocator for the test process. Used to check that a
// training step allocates nothing.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Whether the calling thread's allocations are counted (off until it asks).
void allocation_counter_watch_this_thread(int on);
void allocation_counter_start(void);
/// Stops counting and returns the allocations made since the matching start.
long allocation_counter_stop(void);

#endif
