//! Durable file updates: the one way the library replaces a file.
//!
//! A replacement is written to a temporary file in the same directory,
//! flushed to disk, renamed over the target and the directory flushed, so a
//! crash at any instant leaves either the old file or the new one, never a
//! mix. Temporary files a crash leaves behind start with `.` and contain
//! `.tmp-`; [`remove_leftovers`] clears them.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, ErrorKind, Result};

/// Distinguishes temporary files of concurrent writers in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what} {}: {e}", path.display())).with_source(e)
}

/// Replaces `path` with `bytes` atomically and durably.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent(path);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_temp(&temp, bytes).and_then(|()| {
        crash_point("before rename");
        fs::rename(&temp, path).map_err(|e| io_error("cannot rename into", path, e))?;
        crash_point("after rename");
        sync_dir(&dir)
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_temp(temp: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = OpenOptions::new();
    // create_new is O_CREAT|O_EXCL, which already refuses an existing name,
    // a symbolic link included; O_NOFOLLOW says so outright.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let mut file = options.open(temp).map_err(|e| io_error("cannot create", temp, e))?;
    crash_point("temp created");
    for chunk in bytes.chunks(write_chunk()) {
        file.write_all(chunk).map_err(|e| io_error("cannot write", temp, e))?;
        crash_point("chunk written");
    }
    file.sync_all().map_err(|e| io_error("cannot flush", temp, e))?;
    crash_point("temp flushed");
    Ok(())
}

/// Removes `path` durably; a missing file is fine.
pub(crate) fn remove_durably(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error("cannot remove", path, e)),
    }
    crash_point("removed");
    sync_dir(&parent(path))
}

/// Flushes a directory's entries (new names, renames) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    // Directories can be opened and fsynced on Unix; elsewhere renames are
    // made durable by the file system itself.
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error("cannot flush directory", dir, e))?;
    crash_point("directory flushed");
    Ok(())
}

/// Removes temporary files that an interrupted [`atomic_write`] left in
/// `dir`.
pub(crate) fn remove_leftovers(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("cannot list", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(".tmp-") {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Bytes written per `write` call: all at once normally; in crash tests,
/// small chunks so that a kill can land inside a file's contents.
fn write_chunk() -> usize {
    if cfg!(feature = "crash-test") {
        256
    } else {
        usize::MAX
    }
}

/// In crash tests (`--features crash-test`), the points of a write sequence
/// where the test harness may kill the process: when `LC_CRASH_AT=N` is set,
/// the N-th point (counting from 1) announces itself on stderr and waits for
/// the SIGKILL. Compiled to nothing otherwise.
#[cfg(feature = "crash-test")]
pub(crate) fn crash_point(step: &str) {
    use std::sync::atomic::AtomicUsize;
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let n = SEEN.fetch_add(1, Ordering::SeqCst) + 1;
    if std::env::var("LC_CRASH_AT").ok().and_then(|v| v.parse::<usize>().ok()) == Some(n) {
        eprintln!("LC_CRASH_POINT {n} {step}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

/// Compiled to nothing outside crash tests.
#[cfg(not(feature = "crash-test"))]
#[inline(always)]
pub(crate) fn crash_point(_step: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("license.xml");
        atomic_write(&path, b"old").unwrap();
        atomic_write(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["license.xml"]);
    }

    #[test]
    fn leftovers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".license.xml.tmp-1-0"), b"torn").unwrap();
        fs::write(dir.path().join("keep.xml"), b"x").unwrap();
        remove_leftovers(dir.path()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["keep.xml"]);
    }

    #[test]
    fn a_missing_directory_is_an_io_error() {
        let err = atomic_write(Path::new("/nonexistent-dir-lc/x"), b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
    }
}
