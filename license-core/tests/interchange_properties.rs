//! Round trips of every id-set format for arbitrary sets, and arbitrary
//! bytes never making a reader panic.

use license_core::interchange::{
    read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
    write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
    write_portable64, InterchangeLimits,
};
use proptest::prelude::*;
use roaring::{RoaringBitmap, RoaringTreemap};

/// Sets mixing sparse ids, dense stretches (bitsets) and runs.
fn set32() -> impl Strategy<Value = RoaringBitmap> {
    (
        proptest::collection::vec(any::<u32>(), 0..200),
        proptest::collection::vec((0u32..64, 0u32..70_000), 0..4),
        proptest::collection::vec((0u32..64, 1u32..9, 0u32..20_000), 0..3),
    )
        .prop_map(|(sparse, runs, strided)| {
            let mut set: RoaringBitmap = sparse.into_iter().collect();
            for (hi, len) in runs {
                let start = hi << 16;
                set.insert_range(start..start.saturating_add(len));
            }
            for (hi, step, n) in strided {
                set.extend((0..n).map(|i| (hi << 16) + i * step));
            }
            set
        })
}

fn set64() -> impl Strategy<Value = RoaringTreemap> {
    proptest::collection::vec((0u64..5, set32()), 0..3).prop_map(|parts| {
        let mut out = RoaringTreemap::new();
        for (hi, set) in parts {
            out.extend(set.iter().map(|v| (hi << 32) | u64::from(v)));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn portable32_round_trips(set in set32()) {
        let l = InterchangeLimits::default();
        prop_assert_eq!(&read_portable32(&write_portable32(&set), &l).unwrap(), &set);
        prop_assert_eq!(&read_portable32(&write_portable32_no_runs(&set), &l).unwrap(), &set);
        prop_assert_eq!(&read_clickhouse_state32(&write_clickhouse_state32(&set), &l).unwrap(), &set);
        let (detected, _) = read_id_set(&write_clickhouse_state32(&set), None, &l).unwrap();
        prop_assert_eq!(detected.len(), set.len());
    }

    #[test]
    fn portable64_round_trips(set in set64()) {
        let l = InterchangeLimits::default();
        prop_assert_eq!(&read_portable64(&write_portable64(&set), &l).unwrap(), &set);
        prop_assert_eq!(&read_clickhouse_state64(&write_clickhouse_state64(&set), &l).unwrap(), &set);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let l = InterchangeLimits::default();
        let _ = read_portable32(&bytes, &l);
        let _ = read_portable64(&bytes, &l);
        let _ = read_clickhouse_state32(&bytes, &l);
        let _ = read_clickhouse_state64(&bytes, &l);
        let _ = read_id_set(&bytes, None, &l);
    }

    #[test]
    fn mutated_valid_bytes_never_panic(set in set32(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let l = InterchangeLimits::default();
        let mut bytes = write_clickhouse_state32(&set);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(read) = read_clickhouse_state32(&bytes, &l) {
            // Whatever still decodes re-encodes to a readable state.
            prop_assert_eq!(read_clickhouse_state32(&write_clickhouse_state32(&read), &l).unwrap(), read);
        }
    }
}
