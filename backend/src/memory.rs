//! The allocator of every binary built with this crate: mimalloc, for Rust code and, through
//! its `override` feature, for the C code linked in (SQLite) as well.
//!
//! Why not glibc's `malloc`:
//! - Speed. Saturated, glibc's `malloc`/`free` (and its consolidation of freed chunks) took
//!   about a tenth of the server's CPU: sockets, frames and SQLite's statements allocate
//!   and free small blocks from several threads all the time. With mimalloc, side by side
//!   (README, load benchmark; SQLite, 3,000 visitors, 15,000 msg/s offered, two interleaved
//!   rounds): server CPU per message 0.121 / 0.133 → 0.101 / 0.114 ms, messages per
//!   second 10,124 / 9,285 → 12,183 / 10,941. On PostgreSQL the rate is PostgreSQL's.
//! - Memory that comes back. Hashing a password with argon2 takes a 19 MiB buffer. glibc
//!   raises its threshold for using `mmap` to the size of each such block it frees, so from
//!   the second sign-in on those buffers came from its per-thread heaps and stayed there (a
//!   server that signed in 20 agents kept about 650 MiB it no longer used). With mimalloc
//!   and [`give_back`] once the hashing threads are idle, `cargo xtask bench` measures
//!   +9.2 to +9.9 MiB after 20 sign-ins, and 7.70 KiB per idle visitor socket at 19,000
//!   (glibc: 7.75 KiB).
//!
//! `no_thp`: otherwise mimalloc asks for transparent huge pages on the regions it reserves,
//! and a server at rest holds 72 MiB instead of 38.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns to the system the memory mimalloc holds freed.
///
/// mimalloc hands a freed block as large as argon2's 19 MiB back to its arena and gives
/// the pages to the system only on some later allocation from that arena; hashing threads
/// that go quiet after a burst of sign-ins never make one, and the pages stayed resident
/// (+28.7 MiB after 20 sign-ins, measured with `cargo xtask bench`). The hashing threads
/// call this once they have been idle a moment ([`crate::auth::hashing`]).
#[allow(unsafe_code)]
pub fn give_back() {
    // SAFETY: `mi_collect` only walks mimalloc's own structures (the calling thread's
    // heap and the arenas); it takes no pointer and may be called at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
