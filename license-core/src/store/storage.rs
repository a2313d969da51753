//! Where a store keeps its files: a trait, so that an application can back
//! the store with its own storage, and the directory implementation.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
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
    /// What makes the storage unsafe to trust (for a directory: writable by
    /// group or others, owned by another user), one sentence each; the
    /// [`crate::store::Monitor`] raises them as an alert. None by default.
    fn concerns(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// A store directory on the local file system.
///
/// Replacements go through a temporary file, fsync, rename and a directory
/// fsync. The lock is an OS advisory lock (`flock`) on `.lock`, so a process
/// that dies holding it releases it: a stale lock is recovered by the OS
/// itself, with no pid files to clean.
///
/// No file in the directory is opened through a symbolic link (on Unix,
/// `O_NOFOLLOW`; temporary files are created with `O_EXCL`), and only
/// regular files are read: a link or a FIFO where a store file belongs is
/// [`ErrorKind::StoreUnsafe`]. The directory itself may be a link (an
/// administrator's choice). A blob is at most [`DirStorage::MAX_BLOB`]
/// bytes ([`ErrorKind::InputTooLarge`]).
#[derive(Debug, Clone)]
pub struct DirStorage {
    dir: PathBuf,
}

const LOCK_FILE: &str = ".lock";

impl DirStorage {
    /// The largest blob read (16 MiB): far above any license, history or
    /// journal the store writes, and a bound on what a planted file costs.
    pub const MAX_BLOB: u64 = 16 << 20;

    /// Opens (creating if needed) a store directory and its lock file, and
    /// removes temporary files an interrupted write left behind.
    pub fn open(dir: impl AsRef<Path>) -> Result<DirStorage> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot create {}: {e}", dir.display())))?;
        let lock = dir.join(LOCK_FILE);
        let created = fs::symlink_metadata(&lock).is_err();
        open_regular(&lock, Access::CreateLock)?;
        if created {
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
        let Some(file) = open_regular(&path, Access::Read)? else { return Ok(None) };
        let mut bytes = Vec::new();
        file.take(DirStorage::MAX_BLOB + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
        if bytes.len() as u64 > DirStorage::MAX_BLOB {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("{} is over {} bytes", path.display(), DirStorage::MAX_BLOB),
            ));
        }
        Ok(Some(bytes))
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
        let file = open_regular(&path, Access::Lock)?
            .ok_or_else(|| Error::new(ErrorKind::Io, format!("{} is missing", path.display())))?;
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
        // The link itself, never its target.
        let meta = match fs::symlink_metadata(&path) {
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

    fn concerns(&self) -> Result<Vec<String>> {
        let meta = fs::metadata(&self.dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot stat {}: {e}", self.dir.display())))?;
        Ok(directory_concerns(&self.dir, &meta))
    }
}

/// How a store file is opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Read a blob; a missing file is `None`.
    Read,
    /// Open the existing lock file for `flock`.
    Lock,
    /// Create the lock file if it is missing.
    CreateLock,
}

/// Opens a store file without following a symbolic link in its last
/// component, and refuses anything but a regular file (a FIFO would block
/// a reader: it is opened non-blocking, then refused).
fn open_regular(path: &Path, access: Access) -> Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true);
    if access != Access::Read {
        options.write(true);
    }
    if access == Access::CreateLock {
        options.create(true);
    }
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    #[cfg(not(unix))]
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(unsafe_file(path, "is a symbolic link"));
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && access == Access::Read => return Ok(None),
        Err(e) if is_symlink_refusal(&e) => return Err(unsafe_file(path, "is a symbolic link")),
        Err(e) => {
            return Err(
                Error::new(ErrorKind::Io, format!("cannot open {}: {e}", path.display())).with_source(e)
            )
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot stat {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(unsafe_file(path, "is not a regular file"));
    }
    Ok(Some(file))
}

fn unsafe_file(path: &Path, what: &str) -> Error {
    Error::new(ErrorKind::StoreUnsafe, format!("{} {what}", path.display()))
}

/// `O_NOFOLLOW` on a link fails with `ELOOP`.
fn is_symlink_refusal(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// A store directory others can write, or that another user owns, lets
/// them replace what the store reads.
fn directory_concerns(dir: &Path, meta: &fs::Metadata) -> Vec<String> {
    let mut out = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o022 != 0 {
            out.push(format!(
                "the store directory {} is writable by group or others (mode {:04o})",
                dir.display(),
                meta.mode() & 0o7777
            ));
        }
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            out.push(format!(
                "the store directory {} is owned by uid {}, not by this process's uid {me}",
                dir.display(),
                meta.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, meta);
    out
}
