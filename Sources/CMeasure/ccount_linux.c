// Counts events (instructions, cycles, page faults) of a command and its descendants through
// perf_event_open(2), and of a stretch of hhbench's own code for the Swift harness.
//
// The command is forked and held at a gate (a pipe) until its counters exist: they are opened on
// the child's pid with enable_on_exec, so counting starts at exec (not in hhbench's fork code),
// and with inherit, so children it starts are counted too (their counts join the parent's at
// their exit). Only user-space events are counted (exclude_kernel, exclude_hv): that is what
// perf_event_paranoid = 2, the usual default, allows an unprivileged user, and what a code
// change moves. Address-space randomisation is turned off in the child (personality
// ADDR_NO_RANDOMIZE, as `setarch -R`): it changes code layout and so counts from run to run.
#if defined(__linux__)
#define _GNU_SOURCE
#include "cmeasure.h"
#include "child_common.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int open_counter(uint32_t type, uint64_t config, pid_t pid, int enable_on_exec) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = type;
    attr.config = config;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    attr.inherit = 1;
    attr.enable_on_exec = enable_on_exec ? 1 : 0;
    long fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int hh_counter_open_self(uint32_t type, uint64_t config) { return open_counter(type, config, 0, 0); }

int hh_counter_enable(int fd) { return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) == 0 ? 0 : errno; }

int hh_counter_disable(int fd) { return ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) == 0 ? 0 : errno; }

int hh_counter_reset(int fd) { return ioctl(fd, PERF_EVENT_IOC_RESET, 0) == 0 ? 0 : errno; }

int hh_counter_read(int fd, uint64_t *value) {
    uint64_t count = 0;
    ssize_t length;
    do { length = read(fd, &count, sizeof count); } while (length < 0 && errno == EINTR);
    if (length != (ssize_t)sizeof count) return length < 0 ? errno : EIO;
    *value = count;
    return 0;
}

static double count_now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int hh_count(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd,
             const uint32_t *types, const uint64_t *configs, int count, uint64_t *values,
             int *counter_errno, hh_measurement *result) {
    memset(result, 0, sizeof *result);
    *counter_errno = 0;
    int gate[2], report[2];
    if (pipe2(gate, O_CLOEXEC) != 0) { result->launch_errno = errno; return -1; }
    if (pipe2(report, O_CLOEXEC) != 0) { result->launch_errno = errno; close(gate[0]); close(gate[1]); return -1; }
    double started = count_now_seconds();
    pid_t pid = fork();
    if (pid == 0) {
        close(gate[1]);
        close(report[0]);
        hh_child_stdio(out_fd, err_fd);
        char go = 0;
        ssize_t got;
        do { got = read(gate[0], &go, 1); } while (got < 0 && errno == EINTR);
        if (got != 1 || go != 'g') _exit(127);  // the parent could not open the counters
        personality(ADDR_NO_RANDOMIZE);
        execvpe(file, argv, envp);
        int code = errno;
        ssize_t written;
        do { written = write(report[1], &code, sizeof code); } while (written < 0 && errno == EINTR);
        _exit(127);
    }
    close(gate[0]);
    close(report[1]);
    if (pid < 0) {
        result->launch_errno = errno;
        close(gate[1]);
        close(report[0]);
        return -1;
    }
    int fds[8];
    int opened = 0;
    for (; opened < count && opened < 8; opened++) {
        int fd = open_counter(types[opened], configs[opened], pid, 1);
        if (fd < 0) { *counter_errno = -fd; break; }
        fds[opened] = fd;
    }
    char go = *counter_errno ? 'x' : 'g';
    ssize_t written;
    do { written = write(gate[1], &go, 1); } while (written < 0 && errno == EINTR);
    close(gate[1]);
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {}
    result->wall_seconds = count_now_seconds() - started;
    int exec_errno = 0;
    ssize_t got;
    do { got = read(report[0], &exec_errno, sizeof exec_errno); } while (got < 0 && errno == EINTR);
    close(report[0]);
    for (int index = 0; index < opened; index++) {
        if (!*counter_errno) {
            int failed = hh_counter_read(fds[index], &values[index]);
            if (failed) *counter_errno = failed;
        }
        close(fds[index]);
    }
    if (*counter_errno) return -2;
    if (got == (ssize_t)sizeof exec_errno && exec_errno) { result->launch_errno = exec_errno; return -1; }
    hh_record_exit(result, status, &usage);
    result->max_rss_kb = usage.ru_maxrss;
    return 0;
}

#endif
