// Measures one run of a command: wall time, CPU time, and the command's *own* peak memory.
//
// Why not just ru_maxrss: on Linux, exec() seeds the new program's maxrss with the high-water
// mark of the address space it replaces. A child made by fork() starts from a copy of the parent
// (its resident size), and one made by vfork()/posix_spawn() (CLONE_VM) from the parent's very
// address space: either way a 1 MB `sleep` spawned by a 300 MB parent reports 300 MB. So the
// child runs under ptrace with PTRACE_O_TRACEEXIT: at its exit-stop its own address space (the
// one exec gave it) still exists, and /proc/PID/status VmHWM is its true peak. Descendants it
// waited for are in rusage, which is believed only above the parent's own mark (below, it could
// be the inherited seed); when tracing is not allowed, rusage is reported and memory_exact is 0.

// Linux only (ptrace exit-stops, /proc, mallinfo2, execvpe); cmeasure_portable.c is the rest.
#if defined(__linux__)
#define _GNU_SOURCE
#include "cmeasure.h"
#include "child_common.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/// VmHWM of a process in kB, or -1.
static long high_water_kb(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buffer[4096];
    ssize_t length = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (length <= 0) return -1;
    buffer[length] = 0;
    char *line = strstr(buffer, "VmHWM:");
    if (!line) return -1;
    long kb = -1;
    sscanf(line + 6, "%ld", &kb);
    return kb;
}

int hh_measure(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd, hh_measurement *result) {
    memset(result, 0, sizeof *result);
    long seed_kb = high_water_kb(getpid());
    volatile int trace_refused = 0;
    volatile int exec_errno = 0;
    double started = now_seconds();
    pid_t pid = vfork();
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        hh_child_stdio(out_fd, err_fd);
        // The command gets 0, 1 and 2 and nothing else hhbench (or whoever started it) has open.
        closefrom(3);
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) trace_refused = 1;
        execvpe(file, argv, envp);
        exec_errno = errno;
        _exit(127);
    }
    if (pid < 0) {
        result->launch_errno = errno;
        return -1;
    }
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    long own_kb = -1;
    // The tracer's own work at each stop (setting options, reading /proc) is not the command's:
    // it is timed and taken out of the wall time. Teardown and reaping stay in, as hyperfine has them.
    double tracer_seconds = 0;
    int traced = !trace_refused && !exec_errno;
    if (traced) {
        // The first stop is the SIGTRAP after exec.
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {}
        if (WIFSTOPPED(status)) {
            double handling = now_seconds();
            ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
            ptrace(PTRACE_CONT, pid, 0, 0);
            tracer_seconds += now_seconds() - handling;
            for (;;) {
                if (wait4(pid, &status, 0, &usage) < 0) {
                    if (errno == EINTR) continue;
                    break;
                }
                if (WIFEXITED(status) || WIFSIGNALED(status)) break;
                if (!WIFSTOPPED(status)) continue;
                int signal_number = WSTOPSIG(status);
                if (signal_number == SIGTRAP && (status >> 16) == PTRACE_EVENT_EXIT) {
                    double handling = now_seconds();
                    own_kb = high_water_kb(pid);
                    ptrace(PTRACE_CONT, pid, 0, 0);
                    tracer_seconds += now_seconds() - handling;
                } else if (signal_number == SIGTRAP) {
                    ptrace(PTRACE_CONT, pid, 0, 0);  // a later exec's trap: not the program's
                } else {
                    ptrace(PTRACE_CONT, pid, 0, (void *)(long)signal_number);  // deliver it
                }
            }
        }
    } else {
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {}
    }
    result->wall_seconds = now_seconds() - started - tracer_seconds;
    if (exec_errno) {
        result->launch_errno = exec_errno;
        return -1;
    }
    hh_record_exit(result, status, &usage);
    // The seed is our own high-water mark at the moment of exec, read by the kernel from RSS
    // counters that are summed per CPU: a reading of VmHWM here can lag that seed by a few pages
    // (seen: the seed 36 kB above a VmHWM read before and after), and then `true` would report
    // our 24 MB. So the seed's bound is the largest of our marks read before and after the child
    // ran, by /proc and by getrusage, plus a tolerance of 1 MB and 1 %: descendants are believed
    // only clearly above it.
    long seed_after_kb = high_water_kb(getpid());
    if (seed_after_kb > seed_kb) seed_kb = seed_after_kb;
    struct rusage self_usage;
    if (getrusage(RUSAGE_SELF, &self_usage) == 0 && self_usage.ru_maxrss > seed_kb) seed_kb = self_usage.ru_maxrss;
    if (seed_kb >= 0) seed_kb += 1024 + seed_kb / 100;
    if (own_kb >= 0) {
        // rusage covers waited-for descendants too, but below our own mark it may be the seed.
        result->max_rss_kb = (seed_kb >= 0 && usage.ru_maxrss > seed_kb) ? usage.ru_maxrss : own_kb;
        if (own_kb > result->max_rss_kb) result->max_rss_kb = own_kb;
        result->memory_exact = 1;
    } else {
        result->max_rss_kb = usage.ru_maxrss;
        result->memory_exact = 0;
    }
    return 0;
}

size_t hh_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

int hh_heap_measurable(void) { return 1; }

#endif
