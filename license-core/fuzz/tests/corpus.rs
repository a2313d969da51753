//! Replays the committed corpus through every target's property function,
//! on stable, as ordinary tests; and checks that the committed seeds are
//! exactly what `license_core_fuzz::seeds` makes of tests/vectors.

use std::path::{Path, PathBuf};

use license_core_fuzz::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

fn replay(target: &str) {
    let (_, property) = TARGETS.iter().find(|(name, _)| *name == target).expect("a known target");
    let dir = corpus_dir(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no corpus", dir.display());
    for file in files {
        let data = std::fs::read(&file).expect("a corpus file reads");
        // The file's name in the panic message says which input failed.
        let result = std::panic::catch_unwind(|| property(&data));
        assert!(result.is_ok(), "{target}: {} fails its property", file.display());
    }
}

macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*

        #[test]
        fn every_target_has_a_replay_test() {
            let tested = [$(stringify!($target)),*];
            let all: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
            assert_eq!(tested.to_vec(), all);
        }
    };
}

replay_tests!(
    license_xml,
    usage_log,
    profile_xml,
    bundle,
    license_key,
    license_json,
    id_set,
    snapshot,
    jsonl,
    account_json,
    ledger_json,
    text_forms,
);

#[test]
fn every_fuzz_target_binary_is_a_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz_targets");
    let mut binaries: Vec<String> = std::fs::read_dir(dir)
        .expect("fuzz_targets/ lists")
        .map(|e| e.expect("entry").path().file_stem().expect("a name").to_string_lossy().into_owned())
        .collect();
    binaries.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(binaries, names);
}

/// The committed seeds are what the generator makes; `LC_WRITE_SEEDS=1`
/// rewrites them after a vector or a writer changed on purpose.
#[test]
fn committed_seeds_are_current() {
    let write = std::env::var_os("LC_WRITE_SEEDS").is_some();
    for (target, name, bytes) in license_core_fuzz::seeds::seeds() {
        let path = corpus_dir(target).join(format!("seed-{name}"));
        if write {
            std::fs::create_dir_all(corpus_dir(target)).expect("corpus dir");
            std::fs::write(&path, &bytes).expect("seed written");
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(committed == bytes, "{} is stale: rerun with LC_WRITE_SEEDS=1", path.display());
    }
}
