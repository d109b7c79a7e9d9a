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
//!   server that signed in 20 agents kept about 650 MiB it no longer used). mimalloc serves
//!   blocks that large from the system and gives them back once freed: `cargo xtask bench`
//!   measures +47.8 MiB after 20 sign-ins (glibc with its threshold pinned: +46.5 MiB)
//!   and 7.67 KiB per idle visitor socket at 19,000 (glibc: 7.75 KiB).
//!
//! `no_thp`: otherwise mimalloc asks for transparent huge pages on the regions it reserves,
//! and a server at rest holds 72 MiB instead of 38.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
