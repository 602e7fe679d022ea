// hh_measure where Linux's ptrace exit-stop and /proc are not there (macOS, the BSDs): fork and
// exec, then wait4's rusage. Its ru_maxrss can include the address space the child inherited
// (see cmeasure_linux.c), so memory_exact is 0 and the runner says so. Built, not tested: only
// Linux is tested (README "Platforms").
#if !defined(__linux__) || defined(HH_PORTABLE_SYNTAX_CHECK)
#include "cmeasure.h"
#include "child_common.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double portable_now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int hh_measure(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd, hh_measurement *result) {
    memset(result, 0, sizeof *result);
    int error_pipe[2];
    if (pipe(error_pipe) != 0) {
        result->launch_errno = errno;
        return -1;
    }
    fcntl(error_pipe[1], F_SETFD, FD_CLOEXEC);
    double started = portable_now_seconds();
    pid_t pid = fork();
    if (pid == 0) {
        close(error_pipe[0]);
        hh_child_stdio(out_fd, err_fd);
        for (int fd = 3; fd < 1024; fd++) if (fd != error_pipe[1]) close(fd);
        environ = (char **)envp;  // execvpe is a GNU extension
        execvp(file, argv);
        int failure = errno;
        (void)!write(error_pipe[1], &failure, sizeof failure);
        _exit(127);
    }
    close(error_pipe[1]);
    if (pid < 0) {
        result->launch_errno = errno;
        close(error_pipe[0]);
        return -1;
    }
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {}
    result->wall_seconds = portable_now_seconds() - started;
    int exec_errno = 0;
    ssize_t got = read(error_pipe[0], &exec_errno, sizeof exec_errno);
    close(error_pipe[0]);
    if (got == (ssize_t)sizeof exec_errno && exec_errno != 0) {
        result->launch_errno = exec_errno;
        return -1;
    }
    hh_record_exit(result, status, &usage);
#if defined(__APPLE__)
    result->max_rss_kb = usage.ru_maxrss / 1024;  // bytes on macOS
#else
    result->max_rss_kb = usage.ru_maxrss;
#endif
    result->memory_exact = 0;
    return 0;
}

size_t hh_heap_in_use(void) { return 0; }

int hh_heap_measurable(void) { return 0; }

// perf_event_open is Linux's: counters are absent here, and every call says so.
int hh_counter_open_self(uint32_t type, uint64_t config) { (void)type; (void)config; return -ENOSYS; }
int hh_counter_enable(int fd) { (void)fd; return ENOSYS; }
int hh_counter_disable(int fd) { (void)fd; return ENOSYS; }
int hh_counter_reset(int fd) { (void)fd; return ENOSYS; }
int hh_counter_read(int fd, uint64_t *value) { (void)fd; (void)value; return ENOSYS; }
int hh_count(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd,
             const uint32_t *types, const uint64_t *configs, int count, uint64_t *values,
             int *counter_errno, hh_measurement *result) {
    (void)file; (void)argv; (void)envp; (void)out_fd; (void)err_fd; (void)types; (void)configs; (void)count; (void)values;
    memset(result, 0, sizeof *result);
    *counter_errno = ENOSYS;
    return -2;
}

#endif
