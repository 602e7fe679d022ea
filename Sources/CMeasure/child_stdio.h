// The standard descriptors of a command hhbench measures, set in the child between fork and exec
// (async-signal-safe calls only): input from /dev/null; output and error to out_fd and err_fd,
// to /dev/null for -2, or left as they are for -1. Shared by cmeasure_linux.c and cmeasure_portable.c.
#ifndef HH_CHILD_STDIO_H
#define HH_CHILD_STDIO_H
#include <fcntl.h>
#include <unistd.h>

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
#endif
