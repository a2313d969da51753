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

/// Bytes of a [`RangeBlocks`] buffer: small enough that the kernel's copy
/// lands in the core's own cache and the scan reads it there (reads of
/// 256 KiB or more measured about three times the system time of 128 KiB
/// ones on a 10M-line file, two threads).
pub(crate) const BLOCK_BYTES: usize = 128 << 10;

/// The lines that start in a byte range of a file (as [`read_lines`] reads
/// them), handed out a buffer at a time through one small buffer.
pub(crate) struct RangeBlocks<'f> {
    file: &'f File,
    size: u64,
    end: u64,
    block: &'f mut Vec<u8>,
    /// The file offset of `block[0]`.
    base: u64,
    /// Bytes of `block` read, and where its next line starts.
    have: usize,
    cur: usize,
    /// Whether the end of a line begun before the range is still to skip.
    skip: bool,
    done: bool,
}

/// Why [`RangeBlocks::next`] stopped early: the range must be read whole
/// ([`read_lines`]), which names the error or the overlong line.
#[derive(Debug)]
pub(crate) struct ReadWhole;

impl<'f> RangeBlocks<'f> {
    /// The lines starting in `start..end` of `file` (taken to be `size`
    /// bytes long), through `block`, made `block_len` bytes long.
    pub(crate) fn new(
        file: &'f File,
        (start, end): (u64, u64),
        size: u64,
        block: &'f mut Vec<u8>,
        block_len: usize,
    ) -> Self {
        block.resize(block_len.max(1), 0);
        // From the byte before `start`, as in `read_lines`.
        let base = start.saturating_sub(1);
        RangeBlocks { file, size, end, block, base, have: 0, cur: 0, skip: start > 0, done: start >= end }
    }

    /// The next whole lines of the range (the last one maybe without its
    /// newline, at the end of the file), `None` past the range's last line.
    pub(crate) fn next(&mut self) -> std::result::Result<Option<&[u8]>, ReadWhole> {
        loop {
            if self.done {
                return Ok(None);
            }
            let at_eof = self.base + self.have as u64 >= self.size;
            if self.skip {
                match memchr::memchr(b'\n', &self.block[self.cur..self.have]) {
                    Some(i) => {
                        self.cur += i + 1;
                        self.skip = false;
                    }
                    None => {
                        self.cur = self.have;
                        // No line starts in the range before its end.
                        if at_eof || self.base + self.have as u64 >= self.end {
                            self.done = true;
                            continue;
                        }
                    }
                }
            }
            if !self.skip {
                if self.base + self.cur as u64 >= self.end {
                    self.done = true;
                    continue;
                }
                let from = self.cur;
                // The range's last line is the one holding byte `end - 1`.
                let last = usize::try_from(self.end - 1 - self.base).unwrap_or(usize::MAX);
                let to = if last < self.have {
                    memchr::memchr(b'\n', &self.block[last..self.have]).map(|i| {
                        self.done = true;
                        last + i + 1
                    })
                } else {
                    None
                };
                // Else the whole lines read so far (all start in the range).
                let to =
                    to.or_else(|| memchr::memrchr(b'\n', &self.block[from..self.have]).map(|i| from + i + 1));
                let to = match to {
                    Some(to) => Some(to),
                    None if at_eof && from < self.have => {
                        self.done = true;
                        Some(self.have)
                    }
                    None => None,
                };
                if let Some(to) = to {
                    self.cur = to;
                    return Ok(Some(&self.block[from..to]));
                }
                if at_eof {
                    self.done = true;
                    continue;
                }
            }
            // Keep the line begun and read on after it.
            if self.cur == 0 && self.have == self.block.len() {
                return Err(ReadWhole);
            }
            self.block.copy_within(self.cur..self.have, 0);
            self.base += self.cur as u64;
            self.have -= self.cur;
            self.cur = 0;
            let left = usize::try_from(self.size - self.base).unwrap_or(usize::MAX);
            let want = (self.block.len() - self.have).min(left - self.have);
            let at = self.base + self.have as u64;
            fill_at(self.file, &mut self.block[self.have..self.have + want], at, self.size)
                .map_err(|_| ReadWhole)?;
            self.have += want;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `RangeBlocks` hands out are those `read_lines` reads, for
    /// every range and buffer size (lines cut by the buffer, by the range,
    /// both), or it asks for the whole range (a line longer than its buffer).
    #[test]
    fn blocks_hold_the_lines_of_the_range() {
        use std::io::{Seek, Write};
        let text = b"{\"id\":1}\n\nabc\n0123456789012345678901234567890123456789\n \r\nx\ny";
        for text in [&text[..], &text[..text.len() - 1], b"", b"\n", b"no newline"] {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(text).unwrap();
            file.rewind().unwrap();
            let size = text.len() as u64;
            let mut buf = Vec::new();
            for start in 0..size {
                for end in start + 1..=size {
                    let want = read_lines(&file, start, end, size, &mut buf).unwrap();
                    let want = buf[want].to_vec();
                    for block_len in [1, 2, 5, 16, 41, 42, 64, BLOCK_BYTES] {
                        let mut block = Vec::new();
                        let mut blocks = RangeBlocks::new(&file, (start, end), size, &mut block, block_len);
                        let mut got = Vec::new();
                        let whole = loop {
                            match blocks.next() {
                                Ok(Some(lines)) => {
                                    assert!(!lines.is_empty());
                                    got.extend_from_slice(lines);
                                }
                                Ok(None) => break false,
                                Err(ReadWhole) => break true,
                            }
                        };
                        if whole {
                            let longest = want.split_inclusive(|&b| b == b'\n').map(<[u8]>::len).max();
                            assert!(
                                longest.unwrap_or(0) >= block_len.min(want.len()),
                                "{start}..{end} {block_len}"
                            );
                        } else {
                            assert_eq!(got, want, "{start}..{end} block {block_len}");
                        }
                    }
                }
            }
        }
    }
}
