// posix_spawn's "close every descriptor from N up" (glibc 2.34+), which Swift's Glibc module does
// not import: a helper program (git) must not inherit descriptors that are not marked close-on-exec,
// whoever opened them.
#define _GNU_SOURCE
#include "cmeasure.h"

#include <errno.h>
#include <spawn.h>

int hh_spawn_close_from(void *actions, int lowest) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowest);
#else
    (void)actions;
    (void)lowest;
    return ENOSYS;
#endif
}
