// What cmeasure_linux.c and cmeasure_portable.c share: the child's standard descriptors, and the
// exit status and CPU times of the reaped child.
#ifndef HH_CHILD_COMMON_H
#define HH_CHILD_COMMON_H
#include "cmeasure.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// Set in the child between fork and exec (async-signal-safe calls only): input from /dev/null;
// output and error to out_fd and err_fd, to /dev/null for -2, or left as they are for -1.
static inline void hh_child_stdio(int out_fd, int err_fd) {
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        if (out_fd == -2) dup2(null_fd, 1);
        if (err_fd == -2) dup2(null_fd, 2);
    }
    if (out_fd >= 0) dup2(out_fd, 1);
    if (err_fd >= 0) dup2(err_fd, 2);
}

// The exit code (128 + the signal when one ended it) and the user and system CPU time.
static inline void hh_record_exit(hh_measurement *result, int status, const struct rusage *usage) {
    result->signaled = WIFSIGNALED(status);
    result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result->user_seconds = (double)usage->ru_utime.tv_sec + (double)usage->ru_utime.tv_usec / 1e6;
    result->system_seconds = (double)usage->ru_stime.tv_sec + (double)usage->ru_stime.tv_usec / 1e6;
}
#endif
