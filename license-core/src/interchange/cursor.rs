//! A bounds-checked little-endian reader over untrusted bytes that names the
//! offset of every failure.

use crate::{Error, ErrorKind, Result};

pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// What is being read, for error details (`portable bitmap`, …).
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Cursor<'a> {
        Cursor { bytes, pos: 0, what }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "{}: needs {n} bytes at offset {} but only {} remain",
                    self.what,
                    self.pos,
                    self.remaining()
                ),
            ));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// ClickHouse's VarUInt: unsigned LEB128 of at most 9 bytes (63 bits).
    pub(crate) fn leb128(&mut self) -> Result<u64> {
        let start = self.pos;
        let mut value = 0u64;
        for i in 0..9 {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::new(
            ErrorKind::RoaringFormat,
            format!("{}: LEB128 at offset {start} is over 9 bytes", self.what),
        ))
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(Error::new(
                ErrorKind::TrailingBytes,
                format!("{}: {} bytes after the end at offset {}", self.what, self.remaining(), self.pos),
            ));
        }
        Ok(())
    }

    pub(crate) fn error(&self, kind: ErrorKind, at: usize, message: impl std::fmt::Display) -> Error {
        Error::new(kind, format!("{}: {message} (offset {at})", self.what))
    }
}

/// Appends an unsigned LEB128 (ClickHouse VarUInt).
pub(crate) fn push_leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
