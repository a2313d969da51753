//! Where a store keeps its files: a trait, so that an application can back
//! the store with its own storage, and the directory implementation.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::fsutil;
use crate::{Error, ErrorKind, Result};

/// Named blobs with atomic replacement and an exclusive lock: all a
/// [`crate::LicenseStore`] needs from its storage.
///
/// Names are short ASCII file names (`license.xml`, `history-000001.xml`,
/// `state.json`).
pub trait Storage {
    /// Holds the exclusive lock until dropped.
    type Guard;

    /// The blob's bytes, or `None` if there is none.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Replaces the blob atomically: a reader or a crash sees either the old
    /// bytes or the new ones, never a mix.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<()>;
    /// Removes the blob; a missing blob is fine.
    fn remove(&self, name: &str) -> Result<()>;
    /// Every blob name.
    fn list(&self) -> Result<Vec<String>>;
    /// Takes the exclusive lock that serialises replacements across
    /// processes, waiting up to `timeout` ([`ErrorKind::StoreLocked`] then).
    fn lock(&self, timeout: Duration) -> Result<Self::Guard>;
    /// A token that changes whenever the blob is replaced (`None` if there
    /// is no blob), cheap enough to poll.
    fn identity(&self, name: &str) -> Result<Option<String>>;
}

/// A store directory on the local file system.
///
/// Replacements go through a temporary file, fsync, rename and a directory
/// fsync. The lock is an OS advisory lock (`flock`) on `.lock`, so a process
/// that dies holding it releases it: a stale lock is recovered by the OS
/// itself, with no pid files to clean.
#[derive(Debug, Clone)]
pub struct DirStorage {
    dir: PathBuf,
}

const LOCK_FILE: &str = ".lock";

impl DirStorage {
    /// Opens (creating if needed) a store directory and its lock file, and
    /// removes temporary files an interrupted write left behind.
    pub fn open(dir: impl AsRef<Path>) -> Result<DirStorage> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot create {}: {e}", dir.display())))?;
        let lock = dir.join(LOCK_FILE);
        if !lock.exists() {
            File::create(&lock)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot create {}: {e}", lock.display())))?;
            fsutil::sync_dir(&dir)?;
        }
        Ok(DirStorage { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        let safe = !name.is_empty()
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !safe {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("blob name `{}`", name.escape_debug()),
            ));
        }
        Ok(self.dir.join(name))
    }
}

/// The directory lock, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl Storage for DirStorage {
    type Guard = DirLock;

    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(name)?;
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display()))),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        fsutil::atomic_write(&self.path(name)?, bytes)
    }

    fn remove(&self, name: &str) -> Result<()> {
        fsutil::remove_durably(&self.path(name)?)
    }

    fn list(&self) -> Result<Vec<String>> {
        let entries = fs::read_dir(&self.dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot list {}: {e}", self.dir.display())))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names)
    }

    fn lock(&self, timeout: Duration) -> Result<DirLock> {
        let path = self.dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot open {}: {e}", path.display())))?;
        let deadline = Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // Leftovers can only come from a writer that died, and
                    // with the lock held no live writer is mid-write.
                    fsutil::remove_leftovers(&self.dir)?;
                    return Ok(DirLock { _file: file });
                }
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::new(
                        ErrorKind::StoreLocked,
                        format!("{} is locked by another process (waited {timeout:?})", path.display()),
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::new(ErrorKind::Io, format!("cannot lock {}: {e}", path.display())));
                }
            }
        }
    }

    fn identity(&self, name: &str) -> Result<Option<String>> {
        let path = self.path(name)?;
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::new(ErrorKind::Io, format!("cannot stat {}: {e}", path.display()))),
        };
        // Every replacement renames a new file into place, so the inode
        // changes even when size and time do not.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(Some(format!(
                "{}:{}:{}:{}.{}",
                meta.dev(),
                meta.ino(),
                meta.len(),
                meta.mtime(),
                meta.mtime_nsec()
            )))
        }
        #[cfg(not(unix))]
        {
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            Ok(Some(format!("{}:{:?}", meta.len(), modified)))
        }
    }
}
