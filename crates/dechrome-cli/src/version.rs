//! `--version`: the program's version and which built-in rule packs and model it carries, so a
//! run can be traced to the data that decided it.

use dechrome::DEFAULT_MODEL;
use dechrome::rules::BUILTIN_PACKS;

/// The version, then a line for the built-in rules and one for the built-in model, each with a
/// fingerprint of its bytes.
pub(crate) fn long_version() -> String {
    let rules: usize =
        BUILTIN_PACKS.iter().map(|(_, pack)| pack.lines().filter(|line| line.trim_end() == "[[rule]]").count()).sum();
    let packs: Vec<&str> = BUILTIN_PACKS.iter().map(|(name, _)| *name).collect();
    let pack_bytes = BUILTIN_PACKS.iter().fold(FNV_OFFSET, |hash, (_, pack)| fnv1a(hash, pack.as_bytes()));
    format!(
        "{}\nrules: {rules} built in ({}), fingerprint {pack_bytes:016x}\nmodel: {} (built in), fingerprint {:016x}",
        env!("CARGO_PKG_VERSION"),
        packs.join(", "),
        model_name(DEFAULT_MODEL).unwrap_or("unnamed"),
        fnv1a(FNV_OFFSET, DEFAULT_MODEL.as_bytes())
    )
}

/// The model's `name`, read from the start of its JSON without parsing all of it.
fn model_name(model: &str) -> Option<&str> {
    let head = model.get(..model.len().min(512))?;
    let start = head.find("\"name\":\"")? + "\"name\":\"".len();
    let length = head[start..].find('"')?;
    Some(&head[start..start + length])
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a, continuing from `hash` (start from [`FNV_OFFSET`]): stable across runs and
/// platforms, unlike the standard hasher; a fingerprint, not a security measure.
pub(crate) fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
