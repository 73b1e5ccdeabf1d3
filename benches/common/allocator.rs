//! The benches allocate with mimalloc, as the shipped extension module does
//! (`rust/confiture-python/src/lib.rs`), so they measure what users run.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
