//! `Packed`: a dense time chunk, one slot per low id of a 2^16-id chunk,
//! each holding an encoded time (or none) in the bits its chunk's range of
//! times needs, laid out so that "which slots hold a time below `x`" is a
//! pass over a byte column eight slots at a time. [`super::times`] keeps a
//! chunk in this layout when it is smaller than the sorted pairs.

use multiversion::multiversion;

use super::idset::{Block, WORDS};

/// Bits needed for values `0..=max`.
fn bits_for(max: u64) -> u32 {
    64 - max.leading_zeros()
}

/// Slots of a block: each block's packed low bits are their own
/// allocation, sized to the block's times, so that adding or removing a
/// time shifts one block's bits (at most 2.5 KiB), not the chunk's.
const BLOCK: usize = 1024;
/// Blocks of a chunk.
const BLOCKS: usize = 65_536 / BLOCK;
/// 64-slot groups of a block (one rank entry each).
const GROUPS: usize = BLOCK / 64;

/// A dense chunk: 65,536 slots, slot `low` holding 0 for no time and
/// otherwise `v = mask - (encoded - base)`, `mask` being
/// `256 × radix - 1`: the latest time has the smallest `v`, and a zeroed
/// column is an empty one. The radix is what the chunk's range of times
/// needs (`radix × 255` values at least), so a slot costs the bits of its
/// chunk's range (about 27.2 for five years of seconds), not 32.
///
/// Each value is split into its top byte `v / radix` in a byte column and
/// the rest `v % radix` in a packed column. A count at a new day compares
/// every slot against one threshold: it reads the byte column eight slots
/// per word, and the packed column only for the few slots whose byte
/// equals the threshold's (one in ~250): a quarter of the bytes and a few
/// operations per eight slots, where reading each packed slot costs
/// several operations per slot.
///
/// A time's top byte is never 0 (times are stored from `radix` up), so
/// the byte column alone says which slots hold a time, and the packed
/// column holds the rests of those slots only, in slot order: a slot's
/// place there is its rank among them, kept per 128 slots. Slots
/// without a time (the ids never issued, deleted, or without an expiry:
/// 8% in a typical chunk) then cost their byte and nothing more.
///
/// The rests are packed [`Packed::digits`] to a cell as the digits of a
/// base-`radix` number (three rests of five years of seconds, 19.24 bits
/// each, in 58 bits instead of 60): the byte column holds `log2(255)`
/// bits of each value, and the packed column the fraction of a bit left
/// over that a power-of-two split would round up.
#[derive(Clone)]
pub(super) struct Packed {
    base: u32,
    /// Values per top byte.
    pub(super) radix: u64,
    /// Division by `radix` and by `radix²`: see [`Divisor`].
    div: Divisor,
    div2: Divisor,
    /// Rests per cell of the packed column, and bits per cell.
    pub(super) digits: u32,
    pub(super) cell_width: u32,
    /// The top byte of each slot, eight to a word (slot `8k + j` in byte
    /// `j` of word `k`, counting from the least significant).
    top: Box<[u64]>,
    /// Per pair of 64-slot groups, the slots holding a time before it in
    /// its block (a tie in the second group also counts the first's).
    ranks: Box<[u16]>,
    /// Per block, the cells of its rests in slot order (none when `radix`
    /// is 1).
    rest: Box<[Box<[u64]>]>,
    /// Slots holding a time.
    pub(super) n: u32,
}

/// Exact division by a constant `d` of numbers below `2^63`: a multiply
/// and a shift (Granlund and Montgomery), since a division instruction
/// per tie read or per packed rest would cost tens of cycles each.
#[derive(Clone, Copy)]
struct Divisor {
    /// `ceil(2^(63 + l) / d)`, `l = ceil(log2 d)`: below `2^64`, as
    /// `d > 2^(l - 1)` (so one 64-by-64-bit multiply).
    m: u64,
    shift: u32,
}

impl Divisor {
    fn new(d: u64) -> Divisor {
        let l = bits_for(d - 1);
        let m = (1u128 << (63 + l)).div_ceil(u128::from(d));
        Divisor { m: u64::try_from(m).unwrap_or(u64::MAX), shift: 63 + l }
    }

    /// `x / d`, for `x < 2^63`.
    #[inline(always)]
    fn div(self, x: u64) -> u64 {
        ((u128::from(x) * u128::from(self.m)) >> self.shift) as u64
    }
}

/// Bytes `0x80` (the high bit of each byte of a word).
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Bytes `0x01` (times a byte: that byte in every byte of a word).
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` that is below the same byte of `y`
/// (unsigned), and of each byte equal to it. No byte borrows from or
/// carries into another: `x | HIGH` minus a 7-bit byte stays in its byte.
#[inline(always)]
fn bytes_below(x: u64, y: u64) -> (u64, u64) {
    let d = (x | HIGH) - (y & !HIGH);
    // Different high bits: below when only y has it; the same high bit:
    // below when the low seven bits are (d's high bit clear).
    let below = ((!x & y) | (!(x ^ y) & !d)) & HIGH;
    (below, !nonzero_bytes(x ^ y) & HIGH)
}

/// The high bit of each non-zero byte of `z`.
#[inline(always)]
fn nonzero_bytes(z: u64) -> u64 {
    (((z & !HIGH) + !HIGH) | z) & HIGH
}

/// The high bits of the eight bytes of `m` (only high bits set) as eight
/// bits, byte `j` to bit `j`: the multiply moves each to bit `56 + j`
/// without two products meeting.
#[inline(always)]
fn gather(m: u64) -> u64 {
    (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Reads `width` bits at field `at` of a packed column.
#[inline(always)]
fn read_bits(words: &[u64], width: u32, at: usize) -> u64 {
    if width == 0 {
        return 0;
    }
    let bit = at * width as usize;
    let (i, sh) = (bit / 64, bit % 64);
    // The last field of a column may end in its last word.
    let next = words.get(i + 1).copied().unwrap_or(0);
    let pair = u128::from(words[i]) | u128::from(next) << 64;
    (pair >> sh) as u64 & ((1u64 << width) - 1)
}

/// Writes `value` (of `width` bits, `width > 0`) at field `at`.
fn write_bits(words: &mut [u64], width: u32, at: usize, value: u64) {
    let bit = at * width as usize;
    let (i, sh) = (bit / 64, bit % 64);
    let next = words.get(i + 1).copied().unwrap_or(0);
    let mut pair = u128::from(words[i]) | u128::from(next) << 64;
    pair &= !(u128::from((1u64 << width) - 1) << sh);
    pair |= u128::from(value & ((1u64 << width) - 1)) << sh;
    words[i] = pair as u64;
    if let Some(next) = words.get_mut(i + 1) {
        *next = (pair >> 64) as u64;
    }
}

/// The bits below bit `off` (`0..64`) of a word.
fn below_bit(off: usize) -> u64 {
    (1u64 << off) - 1
}

/// Bit `j` set for each byte `j` of the eight words of group `g` of a
/// byte column that is non-zero: the group's slots holding a time.
#[inline(always)]
fn group_present(top: &[u64], g: usize) -> u64 {
    top[g * 8..g * 8 + 8].iter().enumerate().fold(0, |m, (k, &w)| m | gather(nonzero_bytes(w)) << (8 * k))
}

/// Sets the bit of every slot of a byte column whose top byte is below
/// `xh` in `out`, and of every slot whose top byte equals it in `ties`,
/// eight slots a word.
#[multiversion(targets("x86_64+avx2+bmi2", "x86_64+sse4.2+popcnt", "aarch64+neon"))]
fn top_below(top: &[u64], xh: u64, out: &mut Block, ties: &mut Block) {
    let y = ONES * xh;
    for ((o, t), words) in out.iter_mut().zip(ties.iter_mut()).zip(top.chunks_exact(8)) {
        let (mut lt, mut eq) = (0u64, 0u64);
        for (k, &w) in words.iter().enumerate() {
            let (b, e) = bytes_below(w, y);
            lt |= gather(b) << (8 * k);
            eq |= gather(e) << (8 * k);
        }
        *o = lt;
        *t = eq;
    }
}

/// Words of a block's packed column for `count` rests, `digits` to a cell
/// of `cell_width` bits.
fn block_words(count: usize, digits: u32, cell_width: u32) -> usize {
    if cell_width == 0 {
        0
    } else {
        (count.div_ceil(digits as usize) * cell_width as usize).div_ceil(64)
    }
}

/// ORs `cell` (of `width` bits) in as cell `c` of zeroed words.
#[inline(always)]
fn or_cell(words: &mut [u64], width: u32, c: usize, cell: u64) {
    let bit = c * width as usize;
    let (i, sh) = (bit / 64, bit % 64);
    words[i] |= cell << sh;
    if sh + width as usize > 64 {
        words[i + 1] |= cell >> (64 - sh);
    }
}

/// Writes rests in order into zeroed cells, from a given cell on.
struct Writer {
    cell: usize,
    j: u32,
    acc: u64,
    power: u64,
}

impl Writer {
    fn push(&mut self, p: &Packed, words: &mut [u64], rest: u64) {
        self.acc += rest * self.power;
        self.power *= p.radix;
        self.j += 1;
        if self.j == p.digits {
            self.flush(p, words);
        }
    }

    /// Writes the cell begun, if any.
    fn flush(&mut self, p: &Packed, words: &mut [u64]) {
        if self.j > 0 {
            or_cell(words, p.cell_width, self.cell, self.acc);
            (self.cell, self.j, self.acc, self.power) = (self.cell + 1, 0, 0, 1);
        }
    }
}

impl Packed {
    /// An empty column for encoded times in `lo..=hi`.
    fn new(lo: u32, hi: u32) -> Packed {
        let radix = Packed::radix_for(hi - lo);
        let (digits, cell_width) = Packed::cells(radix);
        Packed {
            base: lo,
            radix,
            div: Divisor::new(radix),
            div2: Divisor::new(radix * radix),
            digits,
            cell_width,
            top: vec![0; 8192].into_boxed_slice(),
            ranks: vec![0; BLOCKS * GROUPS / 2].into_boxed_slice(),
            rest: vec![Box::default(); BLOCKS].into_boxed_slice(),
            n: 0,
        }
    }

    /// The radix for a range of `span + 1` values: the least `r` with
    /// `span < 255 × r`, so that every time's top byte is non-zero.
    pub(super) fn radix_for(span: u32) -> u64 {
        u64::from(span) / 255 + 1
    }

    /// Rests per cell and bits per cell for `radix`: three while a cell
    /// fits 63 bits (radix up to 2^21, seventeen years of seconds), else
    /// two (up to 2^25, the most a u32 range needs).
    fn cells(radix: u64) -> (u32, u32) {
        let digits = if radix <= 1 << 21 { 3 } else { 2 };
        (digits, bits_for(radix.pow(digits) - 1))
    }

    fn block_words(&self, count: usize) -> usize {
        block_words(count, self.digits, self.cell_width)
    }

    fn mask(&self) -> u64 {
        256 * self.radix - 1
    }

    /// Slot `low`'s place among its block's times (counting those before
    /// it), and its block.
    #[inline]
    fn rank(&self, low: u16) -> (usize, usize) {
        let (low, g) = (usize::from(low), usize::from(low) / 64);
        let before = group_present(&self.top, g) & below_bit(low % 64);
        (low / BLOCK, self.group_rank(g) + before.count_ones() as usize)
    }

    /// The slots holding a time in group `g`'s block before it.
    #[inline]
    fn group_rank(&self, g: usize) -> usize {
        let first = if g % 2 == 1 { group_present(&self.top, g - 1).count_ones() } else { 0 };
        usize::from(self.ranks[g / 2]) + first as usize
    }

    /// Times held by block `b`.
    fn block_len(&self, b: usize) -> usize {
        let g = b * GROUPS + GROUPS - 1;
        self.group_rank(g) + group_present(&self.top, g).count_ones() as usize
    }

    fn top_byte(&self, low: u16) -> u64 {
        let low = usize::from(low);
        self.top[low / 8] >> (low % 8 * 8) & 0xFF
    }

    fn set_top_byte(&mut self, low: u16, byte: u64) {
        let low = usize::from(low);
        let sh = low % 8 * 8;
        let word = &mut self.top[low / 8];
        *word = *word & !(0xFF << sh) | byte << sh;
    }

    /// The rest at place `at` of a block's packed column.
    #[inline]
    fn digit(&self, words: &[u64], at: usize) -> u64 {
        let cell = read_bits(words, self.cell_width, at / self.digits as usize);
        self.cell_digits(cell)[at % self.digits as usize]
    }

    /// A cell's digits, lowest first (the third 0 in two-digit cells):
    /// its quotients by the radix and by its square taken independently,
    /// not one after the other.
    #[inline(always)]
    fn cell_digits(&self, cell: u64) -> [u64; 3] {
        let (q1, q2) = (self.div.div(cell), self.div2.div(cell));
        [cell - q1 * self.radix, q1 - q2 * self.radix, q2]
    }

    /// Every rest of block `b`, in slot order.
    fn block_digits(&self, b: usize) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.block_len(b) + 1);
        self.digits_from(b, 0, &mut out);
        out
    }

    /// The rests of block `b` from cell `first` on, appended to `out`.
    fn digits_from(&self, b: usize, first: usize, out: &mut Vec<u64>) {
        let (count, k) = (self.block_len(b), self.digits as usize);
        for c in first..count.div_ceil(k) {
            let digits = self.cell_digits(read_bits(&self.rest[b], self.cell_width, c));
            out.extend_from_slice(&digits[..k.min(count - c * k)]);
        }
    }

    /// A block's packed column holding these rests.
    fn pack_digits(&self, rests: &[u64]) -> Box<[u64]> {
        let mut words = vec![0u64; self.block_words(rests.len())];
        self.pack_from(&mut words, 0, rests);
        words.into_boxed_slice()
    }

    /// ORs `rests` into `words` as cells from cell `first` on (the bits
    /// there must be zero).
    fn pack_from(&self, words: &mut [u64], first: usize, rests: &[u64]) {
        if self.cell_width == 0 {
            return;
        }
        let w = self.cell_width;
        // The words are zeroed and each cell written once: OR the bits in
        // (no read-modify-write per cell; this is a snapshot's hot loop).
        for (c, digits) in rests.chunks(self.digits as usize).enumerate() {
            let cell = digits.iter().rev().fold(0u64, |cell, &d| cell * self.radix + d);
            or_cell(words, w, first + c, cell);
        }
    }

    fn slot(&self, low: u16) -> u64 {
        match self.top_byte(low) {
            0 => 0,
            top => {
                let (b, at) = self.rank(low);
                top * self.radix + self.digit(&self.rest[b], at)
            }
        }
    }

    /// Sets slot `low` to `value` where that keeps whether it holds a
    /// time: its top byte and, in place, the one digit of its cell (the
    /// ranks and every other rest stay). Returns the slot's old value.
    fn put_in_place(&mut self, low: u16, value: u64) -> u64 {
        debug_assert_eq!(self.top_byte(low) != 0, value != 0);
        if value == 0 {
            return 0;
        }
        let old_top = self.top_byte(low);
        let top = self.div.div(value);
        let mut old_rest = 0;
        if self.cell_width != 0 {
            let (b, at) = self.rank(low);
            let (c, k) = (at / self.digits as usize, at % self.digits as usize);
            let cell = read_bits(&self.rest[b], self.cell_width, c);
            let power = self.radix.pow(k as u32);
            old_rest = self.cell_digits(cell)[k];
            let rest = value - top * self.radix;
            write_bits(&mut self.rest[b], self.cell_width, c, cell - old_rest * power + rest * power);
        }
        self.set_top_byte(low, top);
        old_top * self.radix + old_rest
    }

    /// Sets each group rank of block `b` from the byte column: the times
    /// of the block before the group.
    fn rank_block(&mut self, b: usize) {
        let mut before = 0u16;
        for g in b * GROUPS..(b + 1) * GROUPS {
            if g % 2 == 0 {
                self.ranks[g / 2] = before;
            }
            before += group_present(&self.top, g).count_ones() as u16;
        }
    }

    /// The encoded time of stored value `v` (0 = none).
    fn enc_of(&self, v: u64) -> u32 {
        match v {
            0 => 0,
            v => (u64::from(self.base) + self.mask() - v) as u32,
        }
    }

    /// Sets slots to encoded times (0 = none), which the column must hold;
    /// `changes` ascend by low, each low once. Calls `old` with each
    /// slot's encoded time before the change (0 = none), in the order of
    /// `changes`: a caller that needs them reads no slot of its own. A
    /// change that keeps whether its slot holds a time changes one digit
    /// in place; a block whose slots gain or lose times is repacked once
    /// for all its changes, and only from the cell of the first such slot
    /// on (the cells before it keep their places).
    pub(super) fn put_all(&mut self, changes: &[(u16, u32)], mut old: impl FnMut(u32)) {
        let k = self.digits as usize;
        let mut edits: Vec<(usize, bool, Option<u64>)> = Vec::new();
        for block in changes.chunk_by(|x, y| usize::from(x.0) / BLOCK == usize::from(y.0) / BLOCK) {
            let moves = |&(low, enc): &(u16, u32)| (self.top_byte(low) != 0) != (enc != 0);
            let m = block.iter().position(moves).unwrap_or(block.len());
            // Before the first slot that moves, places stay: in place.
            for &(low, enc) in &block[..m] {
                let was = self.put_in_place(low, self.value(enc));
                old(self.enc_of(was));
            }
            if m == block.len() {
                continue;
            }
            let block = &block[m..];
            let b = usize::from(block[0].0) / BLOCK;
            let old_count = self.block_len(b);
            // Each change's place among the block's times as they stand
            // (the byte column before these changes), whether its slot
            // holds one, and its new rest if it gets one.
            edits.clear();
            let mut g = usize::from(block[0].0) / 64;
            let mut before = self.group_rank(g);
            for &(low, enc) in block {
                let lg = usize::from(low) / 64;
                while g < lg {
                    before += group_present(&self.top, g).count_ones() as usize;
                    g += 1;
                }
                let at = before
                    + (group_present(&self.top, g) & below_bit(usize::from(low) % 64)).count_ones() as usize;
                let value = self.value(enc);
                let rest = (value != 0).then(|| value - self.div.div(value) * self.radix);
                let top = self.top_byte(low);
                let was = match top {
                    0 => 0,
                    _ if self.cell_width == 0 => top * self.radix,
                    _ => top * self.radix + self.digit(&self.rest[b], at),
                };
                old(self.enc_of(was));
                edits.push((at, top != 0, rest));
            }
            for &(low, enc) in block {
                self.set_top_byte(low, self.div.div(self.value(enc)));
            }
            let gained = edits.iter().filter(|e| !e.1 && e.2.is_some()).count();
            let lost = edits.iter().filter(|e| e.1 && e.2.is_none()).count();
            self.n = self.n + gained as u32 - lost as u32;
            self.rank_block(b);
            if self.cell_width == 0 {
                continue;
            }
            // The cells before the first changed place keep their bits;
            // from it on, the old rests between two edits are copied as
            // runs into new cells (whole cells at a time where the run
            // allows), the edits put between them.
            let first = edits[0].0 / k;
            let old = std::mem::take(&mut self.rest[b]);
            let keep = first * self.cell_width as usize;
            let mut words = vec![0u64; self.block_words(old_count + gained - lost)];
            words[..keep / 64].copy_from_slice(&old[..keep / 64]);
            if !keep.is_multiple_of(64) {
                words[keep / 64] = old[keep / 64] & below_bit(keep % 64);
            }
            let mut write = Writer { cell: first, j: 0, acc: 0, power: 1 };
            let mut p = first * k;
            for &(at, had, rest) in edits.iter() {
                self.copy_rests(&old, p, at - p, &mut write, &mut words);
                p = at + usize::from(had);
                if let Some(rest) = rest {
                    write.push(self, &mut words, rest);
                }
            }
            self.copy_rests(&old, p, old_count - p, &mut write, &mut words);
            write.flush(self, &mut words);
            self.rest[b] = words.into_boxed_slice();
        }
    }

    /// Appends the `n` rests at places `src..src + n` of a block's old
    /// packed column `old` to `write`. Rests one at a time until `write`
    /// is at a cell boundary, then whole cells: each new cell is the
    /// top digits of one old cell and the low digits of the next (a
    /// quotient and a remainder by a power of the radix), or an old cell
    /// as it is when the run keeps its place in the cell; then the last
    /// rests one at a time.
    fn copy_rests(&self, old: &[u64], mut src: usize, mut n: usize, write: &mut Writer, words: &mut [u64]) {
        let k = self.digits as usize;
        while n > 0 && write.j != 0 {
            write.push(self, words, self.digit(old, src));
            (src, n) = (src + 1, n - 1);
        }
        let cells = n / k;
        if cells > 0 {
            let (w, j) = (self.cell_width, src % k);
            let mut c = src / k;
            if j == 0 {
                for _ in 0..cells {
                    or_cell(words, w, write.cell, read_bits(old, w, c));
                    (c, write.cell) = (c + 1, write.cell + 1);
                }
            } else {
                // Digits `j..k` of cell `c` and `0..j` of cell `c + 1`:
                // every place read is below `src + n`, so both cells exist.
                let (div, low_power) =
                    if j == 1 { (self.div, self.radix) } else { (self.div2, self.radix * self.radix) };
                let high_power = self.radix.pow((k - j) as u32);
                let mut q = div.div(read_bits(old, w, c));
                for _ in 0..cells {
                    let next = read_bits(old, w, c + 1);
                    let next_q = div.div(next);
                    let cell = q + (next - next_q * low_power) * high_power;
                    or_cell(words, w, write.cell, cell);
                    (q, c, write.cell) = (next_q, c + 1, write.cell + 1);
                }
            }
            (src, n) = (src + cells * k, n - cells * k);
        }
        for place in src..src + n {
            write.push(self, words, self.digit(old, place));
        }
    }

    /// The encoded time in slot `low` (0 = none).
    pub(super) fn get(&self, low: u16) -> u32 {
        match self.slot(low) {
            0 => 0,
            r => (u64::from(self.base) + self.mask() - r) as u32,
        }
    }

    /// The highest encoded time the column can hold.
    fn top(&self) -> u32 {
        (u64::from(self.base) + self.mask() - self.radix).min(u64::from(u32::MAX)) as u32
    }

    /// Whether the column's range takes encoded time `enc`.
    pub(super) fn holds(&self, enc: u32) -> bool {
        enc >= self.base && enc <= self.top()
    }

    /// The stored value of encoded time `enc` (0 = none), which the column
    /// must hold.
    fn value(&self, enc: u32) -> u64 {
        if enc == 0 {
            0
        } else {
            self.mask() - u64::from(enc - self.base)
        }
    }

    /// Sets slot `low` to `enc` (0 = none), which the column must hold.
    pub(super) fn put(&mut self, low: u16, enc: u32) {
        self.put_all(&[(low, enc)], |_| {});
    }

    /// The non-empty slots, as (low, encoded time), in slot order.
    pub(super) fn entries(&self) -> impl Iterator<Item = (u16, u32)> + '_ {
        (0..BLOCKS).flat_map(move |b| self.block_entries(b))
    }

    /// The non-empty slots of block `b`, as (low, encoded time).
    fn block_entries(&self, b: usize) -> Vec<(u16, u32)> {
        let (mask, base) = (self.mask(), u64::from(self.base));
        let mut rests = self.block_digits(b).into_iter();
        let mut out = Vec::with_capacity(rests.len());
        for g in b * GROUPS..(b + 1) * GROUPS {
            let mut present = group_present(&self.top, g);
            while present != 0 {
                let low = (g * 64 + present.trailing_zeros() as usize) as u16;
                present &= present - 1;
                let v = self.top_byte(low) * self.radix + rests.next().unwrap_or(0);
                out.push((low, (base + mask - v) as u32));
            }
        }
        out
    }

    /// The same slots in a column for times in `lo..=hi` as well.
    pub(super) fn widened(&self, lo: u32, hi: u32) -> Packed {
        let (lows, times): (Vec<u16>, Vec<u32>) = self.entries().unzip();
        Packed::build(lo.min(self.base), hi.max(self.top()), &lows, &times)
    }

    /// A column for times in `lo..=hi` holding these sorted, distinct low
    /// ids and their encoded times (all in the range).
    pub(super) fn build(lo: u32, hi: u32, lows: &[u16], times: &[u32]) -> Packed {
        let mut p = Packed::new(lo, hi);
        let mut start = 0;
        let mut rests = Vec::with_capacity(BLOCK);
        for b in 0..BLOCKS {
            let end = start + lows[start..].partition_point(|&l| usize::from(l) / BLOCK == b);
            rests.clear();
            for (&low, &enc) in lows[start..end].iter().zip(&times[start..end]) {
                let value = p.value(enc);
                let top = p.div.div(value);
                let low = usize::from(low);
                p.top[low / 8] |= top << (low % 8 * 8);
                rests.push(value - top * p.radix);
            }
            p.rank_block(b);
            p.rest[b] = p.pack_digits(&rests);
            start = end;
        }
        p.n = lows.len() as u32;
        p
    }

    /// Heap bytes of a column for `count` times in a range of `span + 1`
    /// values (each block's rounding counted as a word).
    pub(super) fn bytes_for(span: u32, count: usize) -> usize {
        let (digits, cell_width) = Packed::cells(Packed::radix_for(span));
        8192 * 8
            + BLOCKS * GROUPS
            + BLOCKS * std::mem::size_of::<Box<[u64]>>()
            + (count.div_ceil(digits as usize) * cell_width as usize).div_ceil(64) * 8
            + if cell_width == 0 { 0 } else { BLOCKS * 8 }
    }

    /// Heap bytes of the column.
    pub(super) fn bytes(&self) -> usize {
        self.top.len() * 8
            + self.ranks.len() * 2
            + self.rest.len() * std::mem::size_of::<Box<[u64]>>()
            + self.rest.iter().map(|b| b.len() * 8).sum::<usize>()
    }

    /// Writes into `out` the slots whose value is below `x` (`1..=mask`).
    fn below(&self, x: u64, out: &mut Block) {
        let mut ties = [0u64; WORDS];
        let (xh, xl) = (x / self.radix, x % self.radix);
        top_below(&self.top, xh, out, &mut ties);
        if xh == 0 {
            // Only empty slots have a top byte of 0, and they are below
            // every threshold.
            for (o, t) in out.iter_mut().zip(&ties) {
                *o |= t;
            }
            return;
        }
        // Ties on the top byte are below when their rests are (none are
        // when the threshold's rest is 0). They are scattered over the
        // packed column, each read likely a cache miss: read them after the
        // pass and without a branch on the outcome, so that the misses
        // overlap instead of waiting on each other.
        if xl != 0 {
            for (g, (o, &t)) in out.iter_mut().zip(ties.iter()).enumerate() {
                if t == 0 {
                    continue;
                }
                let present = group_present(&self.top, g);
                let (rest, first) = (&self.rest[g / GROUPS], self.group_rank(g));
                let mut eq = t;
                while eq != 0 {
                    let j = eq.trailing_zeros() as usize;
                    eq &= eq - 1;
                    let at = first + (present & below_bit(j)).count_ones() as usize;
                    *o |= u64::from(self.digit(rest, at) < xl) << j;
                }
            }
        }
    }
}

/// Writes into `out` the mask of `p`'s times `v` with `lo <= v - 1 < hi`
/// (encoded bounds, `lo < hi`).
pub(super) fn mask_dense(p: &Packed, lo: u32, hi: u32, out: &mut Block) {
    // Stored r = mask - (v - base), so v - 1 in [lo, hi) is r in
    // (mask - (hi + 1 - base), mask - (lo + 1 - base)]: below an upper
    // threshold and not below a lower one. An empty slot (r = 0) is below
    // every threshold, so the lower one always applies.
    let (mask, base) = (p.mask() as i64, i64::from(p.base));
    let (a, b) = (i64::from(lo) + 1 - base, (i64::from(hi) + 1 - base).min(mask));
    if b <= 0 || a >= b {
        out.fill(0);
        return;
    }
    p.below((mask - b + 1) as u64, out);
    for o in out.iter_mut() {
        *o = !*o;
    }
    if a >= 1 {
        let mut from = [0u64; WORDS];
        p.below((mask - a + 1) as u64, &mut from);
        for (o, u) in out.iter_mut().zip(&from) {
            *o &= u;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// A dense column's slots, after slots gain, change and lose
        /// times (each shifting its block's packed bits), read back as a
        /// plain map of them says, and compare against any threshold as
        /// the values themselves do.
        #[test]
        fn packed_column_matches_a_model(
            initial in proptest::collection::btree_map(any::<u16>(), 0u32..5_000, 0..3_000),
            puts in proptest::collection::vec((0u16..4_096, proptest::option::of(0u32..5_000)), 0..300),
            span in prop_oneof![Just(200u32), Just(4_999u32), Just(1u32 << 20), Just(157_000_003u32), Just(600_000_000u32)],
            xs in proptest::collection::vec(any::<u64>(), 1..6),
        ) {
            let scale = |t: u32| 1 + u64::from(t) * u64::from(span) / 5_000;
            let enc = |t: u32| scale(t) as u32;
            let (lows, times): (Vec<u16>, Vec<u32>) = initial.iter().map(|(&l, &t)| (l, enc(t))).unzip();
            let mut p = Packed::build(1, 1 + span, &lows, &times);
            let mut model: BTreeMap<u16, u32> = initial.iter().map(|(&l, &t)| (l, enc(t))).collect();
            // Lows packed near the chunk's start and end, so that blocks
            // gain and lose fields at their first, middle and last places.
            for (low, t) in puts {
                let low = if low % 2 == 0 { low / 2 } else { u16::MAX - low / 2 };
                p.put(low, t.map_or(0, enc));
                match t {
                    Some(t) => model.insert(low, enc(t)),
                    None => model.remove(&low),
                };
            }
            prop_assert_eq!(p.n as usize, model.len());
            prop_assert!(p.entries().eq(model.iter().map(|(&l, &t)| (l, t))));
            for b in 0..BLOCKS {
                let count = model.range((b * BLOCK) as u16..=(b * BLOCK + BLOCK - 1) as u16).count();
                prop_assert_eq!(p.block_len(b), count);
                prop_assert_eq!(p.rest[b].len(), p.block_words(count));
            }
            for x in xs {
                let x = 1 + x % p.mask();
                let mut out = [0u64; WORDS];
                p.below(x, &mut out);
                for low in (0..=u16::MAX).step_by(7).chain(model.keys().copied()) {
                    let v = model.get(&low).map_or(0, |&t| p.value(t));
                    prop_assert_eq!(p.get(low), model.get(&low).copied().unwrap_or(0));
                    prop_assert_eq!(out[usize::from(low >> 6)] >> (low & 63) & 1 == 1, v < x, "low {} x {}", low, x);
                }
            }
        }

        /// The multiply-and-shift division equals the division, for every
        /// divisor a column uses (a radix up to 2^25 and its square) and
        /// numbers up to the largest cell.
        #[test]
        fn divisor_divides_exactly(
            d in prop_oneof![1u64..64, 1u64..(1 << 25), (1u64..(1 << 25)).prop_map(|r| r * r), Just(1u64 << 21), Just((1u64 << 25) - 1)],
            x in prop_oneof![any::<u64>().prop_map(|x| x >> 1), Just((1u64 << 63) - 1), 0u64..1_000_000],
        ) {
            let div = Divisor::new(d);
            prop_assert_eq!(div.div(x), x / d);
            prop_assert_eq!(div.div(x - x % d), x / d);
            if x % d == 0 && x > 0 {
                prop_assert_eq!(div.div(x - 1), (x - 1) / d);
            }
        }

        /// A batch of changes given at once (`put_all`: digits changed in
        /// place, blocks repacked from their first moving slot on) leaves
        /// the column bit for bit as a column built from the final times,
        /// and as the same changes given one by one (`put`).
        #[test]
        fn put_all_equals_a_built_column_and_puts_one_by_one(
            initial in proptest::collection::btree_map(0u16..3_000, 0u32..5_000, 0..2_000),
            changes in proptest::collection::btree_map(0u16..3_000, proptest::option::of(0u32..5_000), 0..400),
            span in prop_oneof![Just(0u32), Just(200u32), Just(1u32 << 20), Just(157_000_003u32), Just(600_000_000u32)],
        ) {
            let enc = |t: u32| (1 + u64::from(t) * u64::from(span) / 5_000) as u32;
            // Lows spread over a chunk's first and last blocks.
            let spread = |low: u16| if low.is_multiple_of(2) { low / 2 } else { u16::MAX - low / 2 };
            let mut model: BTreeMap<u16, u32> = initial.iter().map(|(&l, &t)| (spread(l), enc(t))).collect();
            let (lows, times): (Vec<u16>, Vec<u32>) = model.iter().map(|(&l, &t)| (l, t)).unzip();
            let mut batch = Packed::build(1, 1 + span, &lows, &times);
            let mut one_by_one = batch.clone();
            let mut changes: Vec<(u16, u32)> =
                changes.iter().map(|(&l, t)| (spread(l), t.map_or(0, enc))).collect();
            changes.sort_unstable();
            let mut olds = Vec::new();
            batch.put_all(&changes, |old| olds.push(old));
            // The old times reported, in the order of the changes.
            let want: Vec<u32> = changes.iter().map(|&(low, _)| one_by_one.get(low)).collect();
            prop_assert_eq!(olds, want);
            for &(low, e) in &changes {
                one_by_one.put(low, e);
                match e {
                    0 => model.remove(&low),
                    e => model.insert(low, e),
                };
            }
            let (lows, times): (Vec<u16>, Vec<u32>) = model.iter().map(|(&l, &t)| (l, t)).unzip();
            let built = Packed::build(1, 1 + span, &lows, &times);
            for p in [&batch, &one_by_one] {
                prop_assert_eq!(p.n, built.n);
                prop_assert_eq!(&p.top, &built.top);
                prop_assert_eq!(&p.ranks, &built.ranks);
                prop_assert_eq!(&p.rest, &built.rest);
            }
        }

    }
}
