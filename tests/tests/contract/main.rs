//! The API's contract: the committed OpenAPI and AsyncAPI documents equal what the code
//! generates and what the server serves, document every error ([`spec`]), and hold
//! against a fuzzer driving a live server ([`fuzz`]).

mod fuzz;
mod spec;
