//! Memory the server frees goes back to the system.
//!
//! Hashing a password with argon2 takes a 19 MiB buffer. glibc serves allocations that
//! large with `mmap` and unmaps them when freed, but it also raises its threshold for
//! using `mmap` to the size of each such block it frees (up to 32 MiB), so from the second
//! sign-in on those buffers come from its per-thread heaps instead, where they stay: a
//! server that signed in 20 agents kept about 650 MiB it no longer used. Pinning the
//! threshold at 1 MiB keeps every large block in `mmap`, returned as soon as it is freed,
//! at the cost of a system call per large allocation (rare here: password hashes, big
//! uploads). Done in the binary, so no deployment has to remember an environment variable.

/// Large allocations use `mmap` from now on (glibc only; elsewhere a no-op).
#[allow(unsafe_code, reason = "mallopt is an FFI call; it only tunes the allocator")]
pub fn return_large_frees_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// Allocations of at least this size are served by `mmap`.
        const MMAP_THRESHOLD: libc::c_int = 1024 * 1024;
        // SAFETY: mallopt only tunes the allocator and is thread-safe in glibc; a refused
        // setting (it returns 0) leaves the default behaviour.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}
