#ifndef CMEASURE_H
#define CMEASURE_H

/// What one measured run of a command gave.
typedef struct {
    int exit_code;          /* the exit status, or 128 + the signal */
    int signaled;
    double wall_seconds;    /* CLOCK_MONOTONIC, from just before the spawn to the reaping */
    double user_seconds;
    double system_seconds;
    long max_rss_kb;        /* the command's own peak resident memory (see cmeasure.c) */
    int memory_exact;       /* 1 when the peak was read from the command itself, 0 when only rusage was there */
    int launch_errno;       /* non-zero when the command could not be started */
} hh_measurement;

/// Runs file (searched on PATH) with argv and envp, stdin from /dev/null and stdout/stderr to the
/// given descriptors (-1: inherit). Returns 0, or -1 with launch_errno set.
int hh_measure(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd, hh_measurement *result);


#include <stddef.h>
/// Bytes the allocator has handed out and not got back (glibc mallinfo2: uordblks + hblkhd).
/* Bytes the allocator has handed out and not got back; 0 where hh_heap_measurable() is 0. */
size_t hh_heap_in_use(void);
/* Adds "close every descriptor from `lowest` up" to a posix_spawn_file_actions_t; 0 on success,
   ENOSYS where the C library cannot (the caller then relies on close-on-exec alone). */
int hh_spawn_close_from(void *actions, int lowest);
/* 1 where hh_heap_in_use can be read (Linux with glibc), 0 elsewhere. */
int hh_heap_measurable(void);

#include <stdint.h>
/* perf_event_open counters (Linux; elsewhere every call answers ENOSYS). Only user-space events,
   inherited by children. A negative return is minus an errno. */
int hh_counter_open_self(uint32_t type, uint64_t config);
int hh_counter_enable(int fd);
int hh_counter_disable(int fd);
int hh_counter_reset(int fd);
int hh_counter_read(int fd, uint64_t *value);
/* Runs a command as hh_measure does (without the ptrace memory reading), with `count` (at most
   8) counters of (types[i], configs[i]) opened on it before exec and read after it is reaped,
   into values. Returns 0; -1 with launch_errno set when the command could not start; -2 with
   *counter_errno set when a counter could not be opened or read (the command then does not run). */
int hh_count(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd,
             const uint32_t *types, const uint64_t *configs, int count, uint64_t *values,
             int *counter_errno, hh_measurement *result);

#endif
