//! Reading the lines that start in a byte range of a file, by position, so
//! that each parsing thread reads its own chunk (the kernel's copy out of
//! the page cache is spread over the threads, and nothing is copied
//! twice) while the calling thread only adds the parsed chunks in order.
//!
//! A chunk owns the lines that start in its range: it skips the end of a
//! line begun before it and reads past its end to finish its last line,
//! at most [`MAX_LINE_BYTES`] + 1 bytes of it (a longer line is the
//! reader's [`crate::ErrorKind::InputTooLarge`], naming the line). Files
//! are read with positional reads, never mapped: a file truncated while it
//! is mapped would kill the process, and files are untrusted. The file is
//! taken to be as long as it was when the read began; one that ends
//! earlier is an error, not a shorter inventory.

use std::fs::File;
use std::io;
use std::ops::Range;

use super::jsonl::MAX_LINE_BYTES;
use crate::{Error, ErrorKind, Result};

/// Bytes read at a time past a chunk's end to finish its last line.
const TAIL_STEP: usize = 64 << 10;

/// Reads up to `buf.len()` bytes at `offset`.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

/// Reads up to `buf.len()` bytes at `offset`.
#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Fills `buf` from `offset`, or fails naming where the file ended.
fn fill_at(file: &File, mut buf: &mut [u8], mut offset: u64, size: u64) -> Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "the file ended at byte {offset}, before the {size} bytes it had when the read \
                         began: it changed while it was read"
                    ),
                ))
            }
            Ok(n) => {
                offset += n as u64;
                buf = &mut buf[n..];
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads into `buf` the lines of `file` (taken to be `size` bytes long)
/// that start in `start..end`, and returns where they are in `buf` (empty
/// when no line starts there). `buf` is reused from chunk to chunk: it is
/// grown, never shrunk or zeroed again.
pub(crate) fn read_lines(
    file: &File,
    start: u64,
    end: u64,
    size: u64,
    buf: &mut Vec<u8>,
) -> Result<Range<usize>> {
    // From the byte before `start`: a line starts at `start` exactly when
    // that byte is a newline.
    let from = start.saturating_sub(1);
    let len = usize::try_from(end - from)
        .map_err(|_| Error::new(ErrorKind::InputTooLarge, "a chunk does not fit in memory"))?;
    if buf.len() < len {
        buf.resize(len, 0);
    }
    fill_at(file, &mut buf[..len], from, size)?;
    let first = if start == 0 {
        0
    } else {
        match memchr::memchr(b'\n', &buf[..len]) {
            Some(i) => i + 1,
            None => return Ok(0..0),
        }
    };
    if first == len || buf[len - 1] == b'\n' || end == size {
        return Ok(first..len);
    }
    // The last line goes on past `end`: read on until its newline, the
    // end of the file or one byte past the longest line.
    let last_start = memchr::memrchr(b'\n', &buf[first..len]).map_or(first, |i| first + i + 1);
    let limit =
        (last_start + MAX_LINE_BYTES + 1).min(len + usize::try_from(size - end).unwrap_or(usize::MAX));
    let mut filled = len;
    while filled < limit {
        let step = TAIL_STEP.min(limit - filled);
        if buf.len() < filled + step {
            buf.resize(filled + step, 0);
        }
        fill_at(file, &mut buf[filled..filled + step], from + filled as u64, size)?;
        if let Some(i) = memchr::memchr(b'\n', &buf[filled..filled + step]) {
            return Ok(first..filled + i + 1);
        }
        filled += step;
    }
    Ok(first..filled)
}
