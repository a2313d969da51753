//! The `licensectl` command line, run as a user would.

mod support;

#[test]
fn demo_prints_the_license_its_status_and_a_diff() {
    let (ok, out, err) = support::run(support::licensectl().arg("demo"));
    assert!(ok, "demo failed: {err}");
    for section in ["== The installed license", "== Its status today", "side by side"] {
        assert!(out.contains(section), "missing `{section}` in:\n{out}");
    }
    assert!(out.contains("feature api") && out.contains("verdict:"), "{out}");
}

#[test]
fn a_usage_error_exits_non_zero() {
    let (ok, _, err) = support::run(support::licensectl().arg("no-such-command"));
    assert!(!ok);
    assert!(err.contains("no-such-command"), "{err}");
}
