//! Marks the tests that need the data sets beside the repository (`../shared/data`) as ignored
//! when they are not there, so that a run without them reports them as such, not as passed; the
//! same for the test that renders the HTML report in Chromium, except in CI (`CI=true`), where
//! Chromium is installed and its absence must fail.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(chromium)");
    println!("cargo::rerun-if-env-changed=CI");
    // Where Debian installs it: a change there (an install) runs this script again.
    println!("cargo::rerun-if-changed=/usr/bin");
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("chromium").is_file()));
    if on_path || std::env::var("CI").is_ok_and(|ci| ci == "true") {
        println!("cargo::rustc-cfg=chromium");
    }

    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let data = std::path::Path::new(&manifest_dir).join("../../../shared/data");
    println!("cargo::rerun-if-changed={}", data.display());
    if data.join("aeb-dev").is_dir() && data.join("ftfy-cases").is_dir() {
        println!("cargo::rustc-cfg=shared_data");
    }
}
