//! `licensectl … | head -1`: a reader that goes away ends the CLI quietly
//! instead of a panic about a broken pipe (issue 14, section 3).

mod support;

use std::process::Stdio;

/// Runs `licensectl args` with its stdout a pipe whose reading end is
/// already closed, so the first line it prints finds no reader.
#[cfg(unix)]
fn run_into_closed_pipe(args: &[&str]) -> (std::process::ExitStatus, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = support::licensectl()
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_cli_quietly() {
    use std::os::unix::process::ExitStatusExt;
    for args in [&["demo"][..], &["bundle", "--template"], &["--help"]] {
        let (status, stderr) = run_into_closed_pipe(args);
        // Killed by SIGPIPE (as `cat` or `ls` would be) or a plain exit 0;
        // never the panic's exit 101 and its message.
        let quiet = status.success() || status.signal() == Some(13);
        assert!(quiet, "{args:?}: {status:?}, stderr: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
