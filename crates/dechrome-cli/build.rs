//! Marks the tests that need the data sets beside the repository (`../shared/data`) as ignored
//! when they are not there, so that a run without them reports them as such, not as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let data = std::path::Path::new(&manifest_dir).join("../../../shared/data");
    println!("cargo::rerun-if-changed={}", data.display());
    if data.join("aeb-dev").is_dir() && data.join("ftfy-cases").is_dir() {
        println!("cargo::rustc-cfg=shared_data");
    }
}
