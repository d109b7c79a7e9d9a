//! Conformance of the interchangeable parts, each implementation through the same traits
//! and functions the server uses: storage on SQLite and PostgreSQL ([`storage`]), the bus
//! and presence in process and on Redis ([`realtime`]); upgrades that keep what is stored
//! ([`upgrade`]). Every case runs on every implementation in one run, so this binary does
//! not depend on `RAPPORT_TEST_ENGINE`.

mod realtime;
mod storage;
mod upgrade;
