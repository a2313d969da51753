//! Spark SQL's bitmap aggregate states (Spark 3.5+), carried as Parquet.
//!
//! `SELECT bitmap_bucket_number(id) AS bucket,
//! bitmap_construct_agg(bitmap_bit_position(id)) AS bitmap … GROUP BY 1`
//! gives one row per bucket of 32,768 ids: `bucket BIGINT` and `bitmap
//! BINARY` of exactly 4,096 bytes. Found from Spark 4.3's own output
//! (docs/FORMATS.md, "Spark bitmap aggregates"): an id `v > 0` is in bucket
//! `(v - 1) / 32768 + 1` at position `(v - 1) % 32768`; id 0 is bucket 0,
//! position 0 (bucket 0's other positions are the negative ids); position
//! `p` is bit `p % 8` (least significant first) of byte `p / 8`. So u32
//! ids use buckets 0 (position 0 only) to 131,072 (whose last position
//! would be 2^32).
//!
//! Rows of one bucket in different files (partitions, shards) are ORed, as
//! `bitmap_or_agg` would; within one file Spark's `GROUP BY` writes each
//! bucket once, so a second row of a bucket there is an error, as is a
//! NULL, a bitmap of another size, or a bit no u32 id maps to.

use std::collections::BTreeSet;
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use roaring::RoaringBitmap;

use super::InterchangeLimits;
use crate::{Error, ErrorKind, Result};

/// Ids per Spark bucket (`bitmap_bucket_number`'s divisor).
pub const SPARK_BUCKET_IDS: u32 = 32_768;
/// Bytes of one Spark bitmap (`bitmap_construct_agg`'s output).
pub const SPARK_BITMAP_BYTES: usize = 4_096;
/// The last bucket a u32 id maps to (`bitmap_bucket_number(2^32 - 1)`).
pub const SPARK_MAX_BUCKET: i64 = 131_072;
/// Rows read from a column at a time: bounds the decoded batch to 4 MiB.
const BATCH_ROWS: usize = 1_024;

/// Spark's `(bitmap_bucket_number(id), bitmap_bit_position(id))` for a u32
/// id.
///
/// ```
/// use license_core::interchange::spark_bucket_position;
/// assert_eq!(spark_bucket_position(0), (0, 0));
/// assert_eq!(spark_bucket_position(1), (1, 0));
/// assert_eq!(spark_bucket_position(32_768), (1, 32_767));
/// assert_eq!(spark_bucket_position(32_769), (2, 0));
/// assert_eq!(spark_bucket_position(u32::MAX), (131_072, 32_766));
/// ```
pub fn spark_bucket_position(id: u32) -> (i64, u32) {
    match id {
        0 => (0, 0),
        v => (i64::from((v - 1) / SPARK_BUCKET_IDS) + 1, (v - 1) % SPARK_BUCKET_IDS),
    }
}

/// Reads one Parquet file of `(bucket, bitmap)` rows as Spark writes them
/// and returns the ids, checking every row (see the module docs).
///
/// The file must have exactly two top-level columns, `bucket` (INT64, no
/// annotation other than signed 64-bit integer) and `bitmap` (BYTE_ARRAY,
/// not annotated as text), neither repeated. Compression: none or Snappy
/// (Spark's default). `limits.max_bytes` bounds the file and the
/// uncompressed size its column chunks declare.
pub fn read_spark_parquet(bytes: &[u8], limits: &InterchangeLimits) -> Result<RoaringBitmap> {
    let mut ids = RoaringBitmap::new();
    or_spark_parquet(&mut ids, bytes, limits)?;
    Ok(ids)
}

/// ORs the ids of one Parquet file (see [`read_spark_parquet`]) into `ids`.
/// On failure `ids` may hold part of the file's ids.
pub(crate) fn or_spark_parquet(
    ids: &mut RoaringBitmap,
    bytes: &[u8],
    limits: &InterchangeLimits,
) -> Result<()> {
    limits.check_input(bytes.len(), "Parquet file")?;
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).map_err(parquet_error)?;
    check_schema(&reader)?;
    check_declared_sizes(&reader, bytes.len() as u64, limits)?;
    let mut seen = BTreeSet::new();
    for index in 0..reader.num_row_groups() {
        let group = reader.get_row_group(index).map_err(parquet_error)?;
        read_row_group(group.as_ref(), index, ids, &mut seen)?;
    }
    Ok(())
}

fn parquet_error(e: parquet::errors::ParquetError) -> Error {
    Error::new(ErrorKind::ParquetFormat, format!("Parquet: {}", e.to_string().escape_debug()))
}

fn schema_error(detail: String) -> Error {
    Error::new(
        ErrorKind::SparkSchema,
        format!("{detail} (expected the columns `bucket` BIGINT and `bitmap` BINARY)"),
    )
}

/// Exactly `bucket` then `bitmap`, in either order, as plain INT64 and
/// BYTE_ARRAY, optional or required.
fn check_schema(reader: &SerializedFileReader<bytes::Bytes>) -> Result<()> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let fields = schema.root_schema().get_fields();
    let names: Vec<String> = fields.iter().map(|f| f.name().escape_debug().to_string()).collect();
    if fields.len() != 2 || schema.num_columns() != 2 || !fields.iter().all(|f| f.is_primitive()) {
        return Err(schema_error(format!("columns [{}]", names.join(", "))));
    }
    for field in fields {
        let info = field.get_basic_info();
        let logical = info.logical_type_ref();
        let plain = match field.name() {
            "bucket" => {
                field.get_physical_type() == PhysicalType::INT64
                    && matches!(info.converted_type(), ConvertedType::NONE | ConvertedType::INT_64)
                    && logical.is_none_or(
                        |t| matches!(t, LogicalType::Integer(i) if i.bit_width == 64 && i.is_signed),
                    )
            }
            "bitmap" => {
                field.get_physical_type() == PhysicalType::BYTE_ARRAY
                    && info.converted_type() == ConvertedType::NONE
                    && logical.is_none()
            }
            other => return Err(schema_error(format!("unknown column `{}`", other.escape_debug()))),
        };
        if !plain || info.repetition() == Repetition::REPEATED {
            return Err(schema_error(format!(
                "column `{}` is {} {:?} ({:?}, {:?})",
                field.name(),
                info.repetition(),
                field.get_physical_type(),
                info.converted_type(),
                logical
            )));
        }
    }
    if fields[0].name() == fields[1].name() {
        return Err(schema_error(format!("columns [{}]", names.join(", "))));
    }
    Ok(())
}

/// Refuses, before anything is decompressed, a file whose column chunks
/// declare more than `max_bytes` uncompressed, a codec other than none or
/// Snappy, or more rows than there are u32 buckets (a file holds each
/// bucket once).
fn check_declared_sizes(
    reader: &SerializedFileReader<bytes::Bytes>,
    file_len: u64,
    limits: &InterchangeLimits,
) -> Result<()> {
    let mut declared: u64 = 0;
    let mut rows: u64 = 0;
    for group in reader.metadata().row_groups() {
        rows = rows.saturating_add(u64::try_from(group.num_rows()).unwrap_or(u64::MAX));
        for column in group.columns() {
            if !matches!(column.compression(), Compression::UNCOMPRESSED | Compression::SNAPPY) {
                return Err(Error::new(
                    ErrorKind::ParquetFormat,
                    format!(
                        "Parquet: column `{}` is compressed with {} (write with snappy or none)",
                        column.column_path(),
                        column.compression()
                    ),
                ));
            }
            // The parquet crate asserts (panics) on a negative start or
            // length, so they are checked here, with the end, first.
            let start = column.dictionary_page_offset().unwrap_or(column.data_page_offset());
            let len = column.compressed_size();
            let end = start.checked_add(len).and_then(|e| u64::try_from(e).ok());
            if start < 0 || len < 0 || end.is_none_or(|e| e > file_len) || column.uncompressed_size() < 0 {
                return Err(Error::new(
                    ErrorKind::ParquetFormat,
                    format!(
                        "Parquet: column chunk `{}` at {start} of {len} bytes ({} uncompressed) is not inside the {file_len}-byte file",
                        column.column_path(),
                        column.uncompressed_size()
                    ),
                ));
            }
            declared = declared.saturating_add(u64::try_from(column.uncompressed_size()).unwrap_or(u64::MAX));
        }
    }
    if declared > limits.max_bytes as u64 {
        return Err(Error::new(
            ErrorKind::SizeLimit,
            format!(
                "Parquet file declares {declared} uncompressed bytes, over the {}-byte limit",
                limits.max_bytes
            ),
        ));
    }
    let buckets = SPARK_MAX_BUCKET as u64 + 1;
    if rows > buckets {
        return Err(Error::new(
            ErrorKind::SparkDuplicateBucket,
            format!(
                "Parquet file has {rows} rows but only {buckets} buckets hold u32 ids, each once per file"
            ),
        ));
    }
    Ok(())
}

/// The column index of `name` (checked by [`check_schema`]).
fn column_index(group: &dyn RowGroupReader, name: &str) -> usize {
    (0..group.num_columns()).find(|&i| group.metadata().column(i).column_descr().name() == name).unwrap_or(0)
}

fn read_row_group(
    group: &dyn RowGroupReader,
    index: usize,
    ids: &mut RoaringBitmap,
    seen: &mut BTreeSet<i64>,
) -> Result<()> {
    let at = |row: u64| format!("row group {index}, row {row}");
    let Ok(ColumnReader::Int64ColumnReader(mut buckets)) =
        group.get_column_reader(column_index(group, "bucket")).map_err(parquet_error)
    else {
        return Err(schema_error("column `bucket` is not INT64".into()));
    };
    let Ok(ColumnReader::ByteArrayColumnReader(mut bitmaps)) =
        group.get_column_reader(column_index(group, "bitmap")).map_err(parquet_error)
    else {
        return Err(schema_error("column `bitmap` is not BINARY".into()));
    };
    let mut row: u64 = 0;
    let (mut bucket_values, mut bucket_levels) = (Vec::<i64>::new(), Vec::<i16>::new());
    let (mut bitmap_values, mut bitmap_levels) = (Vec::<ByteArray>::new(), Vec::<i16>::new());
    loop {
        bucket_values.clear();
        bucket_levels.clear();
        bitmap_values.clear();
        bitmap_levels.clear();
        let (n, n_values, _) = buckets
            .read_records(BATCH_ROWS, Some(&mut bucket_levels), None, &mut bucket_values)
            .map_err(parquet_error)?;
        let (m, m_values, _) = bitmaps
            .read_records(BATCH_ROWS, Some(&mut bitmap_levels), None, &mut bitmap_values)
            .map_err(parquet_error)?;
        if n != m {
            return Err(Error::new(
                ErrorKind::ParquetFormat,
                format!("Parquet: {}: the columns have different row counts", at(row)),
            ));
        }
        if n == 0 {
            return Ok(());
        }
        if n_values != n || m_values != m {
            return Err(Error::new(ErrorKind::SparkNull, format!("{}: a bucket or bitmap is NULL", at(row))));
        }
        for (bucket, bitmap) in bucket_values.iter().zip(&bitmap_values) {
            if !seen.insert(*bucket) {
                return Err(Error::new(
                    ErrorKind::SparkDuplicateBucket,
                    format!(
                        "{}: bucket {bucket} appears twice in one file (Spark's GROUP BY writes it once)",
                        at(row)
                    ),
                ));
            }
            or_bucket(ids, *bucket, bitmap.data())
                .map_err(|e| Error::new(e.kind(), format!("{}: {}", at(row), e.detail())))?;
            row += 1;
        }
    }
}

/// ORs one Spark bucket's bitmap into `ids`.
pub(crate) fn or_bucket(ids: &mut RoaringBitmap, bucket: i64, bitmap: &[u8]) -> Result<()> {
    if bitmap.len() != SPARK_BITMAP_BYTES {
        return Err(Error::new(
            ErrorKind::SparkBitmapSize,
            format!("bucket {bucket}: bitmap of {} bytes (Spark writes {SPARK_BITMAP_BYTES})", bitmap.len()),
        ));
    }
    let no_id = |what: String| Error::new(ErrorKind::SparkBucket, format!("bucket {bucket}: {what}"));
    if !(0..=SPARK_MAX_BUCKET).contains(&bucket) {
        return Err(no_id(format!("no u32 id maps to it (u32 ids use buckets 0 to {SPARK_MAX_BUCKET})")));
    }
    if bucket == 0 {
        // Position p > 0 of bucket 0 is id -p.
        if let Some(p) = first_bit(bitmap, 1) {
            return Err(no_id(format!("position {p} is id -{p}, not a u32 id")));
        }
        if bitmap[0] & 1 == 1 {
            ids.insert(0);
        }
        return Ok(());
    }
    let last = SPARK_BITMAP_BYTES - 1;
    if bucket == SPARK_MAX_BUCKET && bitmap[last] & 0x80 != 0 {
        return Err(no_id(format!("position {} is id 2^32, over u32", SPARK_BUCKET_IDS - 1)));
    }
    // In range by the checks above: offset + 32,767 <= 2^32 - 1 for ids
    // below the last byte, whose bits are inserted one by one so that the
    // last bucket's offset arithmetic cannot pass 2^32.
    let offset = (bucket as u32 - 1) * SPARK_BUCKET_IDS + 1;
    *ids |= RoaringBitmap::from_lsb0_bytes(offset, &bitmap[..last]);
    for bit in 0..8u32 {
        if bitmap[last] >> bit & 1 == 1 {
            ids.insert(offset + (last as u32) * 8 + bit);
        }
    }
    Ok(())
}

/// The first set position at or after `from`, if any.
fn first_bit(bitmap: &[u8], from: usize) -> Option<usize> {
    (from..bitmap.len() * 8).find(|&p| bitmap[p / 8] >> (p % 8) & 1 == 1)
}

/// Writes `ids` as one Parquet file of `(bucket, bitmap)` rows, as Spark's
/// `bitmap_construct_agg` query would write them: one row per non-empty
/// bucket in bucket order, Snappy-compressed. Deterministic (a fixed
/// `created_by`). For tests, benchmarks and engines without Spark.
pub fn write_spark_parquet(ids: &RoaringBitmap) -> Result<Vec<u8>> {
    let rows = spark_rows(ids);
    let schema = Arc::new(
        Type::group_type_builder("spark_schema")
            .with_fields(vec![
                Arc::new(
                    Type::primitive_type_builder("bucket", PhysicalType::INT64)
                        .with_repetition(Repetition::OPTIONAL)
                        .build()
                        .map_err(parquet_error)?,
                ),
                Arc::new(
                    Type::primitive_type_builder("bitmap", PhysicalType::BYTE_ARRAY)
                        .with_repetition(Repetition::OPTIONAL)
                        .build()
                        .map_err(parquet_error)?,
                ),
            ])
            .build()
            .map_err(parquet_error)?,
    );
    let properties = WriterProperties::builder()
        .set_created_by("license-core".into())
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(false)
        .set_statistics_enabled(parquet::file::properties::EnabledStatistics::None)
        .build();
    let mut out = Vec::new();
    let mut writer =
        SerializedFileWriter::new(&mut out, schema, Arc::new(properties)).map_err(parquet_error)?;
    for chunk in rows.chunks(8_192) {
        let mut group = writer.next_row_group().map_err(parquet_error)?;
        let levels = vec![1i16; chunk.len()];
        let buckets: Vec<i64> = chunk.iter().map(|(b, _)| *b).collect();
        let bitmaps: Vec<ByteArray> = chunk.iter().map(|(_, m)| ByteArray::from(m.clone())).collect();
        if let Some(mut column) = group.next_column().map_err(parquet_error)? {
            column.typed::<Int64Type>().write_batch(&buckets, Some(&levels), None).map_err(parquet_error)?;
            column.close().map_err(parquet_error)?;
        }
        if let Some(mut column) = group.next_column().map_err(parquet_error)? {
            column
                .typed::<ByteArrayType>()
                .write_batch(&bitmaps, Some(&levels), None)
                .map_err(parquet_error)?;
            column.close().map_err(parquet_error)?;
        }
        group.close().map_err(parquet_error)?;
    }
    writer.close().map_err(parquet_error)?;
    Ok(out)
}

/// The `(bucket, bitmap)` rows of `ids`, in bucket order.
pub(crate) fn spark_rows(ids: &RoaringBitmap) -> Vec<(i64, Vec<u8>)> {
    let mut rows: Vec<(i64, Vec<u8>)> = Vec::new();
    for id in ids {
        let (bucket, position) = spark_bucket_position(id);
        if rows.last().is_none_or(|(b, _)| *b != bucket) {
            rows.push((bucket, vec![0u8; SPARK_BITMAP_BYTES]));
        }
        if let Some((_, bitmap)) = rows.last_mut() {
            bitmap[position as usize / 8] |= 1 << (position % 8);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::schema::parser::parse_message_type;

    fn limits() -> InterchangeLimits {
        InterchangeLimits::default()
    }

    /// A Parquet file of any schema, one row group, rows given per column
    /// as (definition levels, values): the hostile files Spark would not
    /// write.
    fn hand_made(
        schema: &str,
        write: impl FnOnce(&mut parquet::file::writer::SerializedRowGroupWriter<'_, &mut Vec<u8>>),
    ) -> Vec<u8> {
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let mut out = Vec::new();
        let mut writer =
            SerializedFileWriter::new(&mut out, schema, Arc::new(WriterProperties::builder().build()))
                .unwrap();
        let mut group = writer.next_row_group().unwrap();
        write(&mut group);
        group.close().unwrap();
        writer.close().unwrap();
        out
    }

    fn rows_file(rows: &[(Option<i64>, Option<Vec<u8>>)]) -> Vec<u8> {
        hand_made("message spark_schema { optional int64 bucket; optional binary bitmap; }", |group| {
            let levels: Vec<i16> = rows.iter().map(|(b, _)| i16::from(b.is_some())).collect();
            let values: Vec<i64> = rows.iter().filter_map(|(b, _)| *b).collect();
            let mut column = group.next_column().unwrap().unwrap();
            column.typed::<Int64Type>().write_batch(&values, Some(&levels), None).unwrap();
            column.close().unwrap();
            let levels: Vec<i16> = rows.iter().map(|(_, m)| i16::from(m.is_some())).collect();
            let values: Vec<ByteArray> =
                rows.iter().filter_map(|(_, m)| m.clone().map(ByteArray::from)).collect();
            let mut column = group.next_column().unwrap().unwrap();
            column.typed::<ByteArrayType>().write_batch(&values, Some(&levels), None).unwrap();
            column.close().unwrap();
        })
    }

    fn bitmap_with(positions: &[usize]) -> Vec<u8> {
        let mut bitmap = vec![0u8; SPARK_BITMAP_BYTES];
        for p in positions {
            bitmap[p / 8] |= 1 << (p % 8);
        }
        bitmap
    }

    #[test]
    fn edges_map_as_spark_maps_them_and_round_trip() {
        // The rows Spark 4.3 wrote for these ids (docs/FORMATS.md).
        let ids: RoaringBitmap =
            [0, 1, 2, 8, 9, 32_767, 32_768, 32_769, 65_536, u32::MAX - 1, u32::MAX].into_iter().collect();
        let rows = spark_rows(&ids);
        let nonzero = |m: &[u8]| -> Vec<(usize, u8)> {
            m.iter().copied().enumerate().filter(|(_, b)| *b != 0).collect()
        };
        let shown: Vec<(i64, Vec<(usize, u8)>)> = rows.iter().map(|(b, m)| (*b, nonzero(m))).collect();
        assert_eq!(
            shown,
            vec![
                (0, vec![(0, 0x01)]),
                (1, vec![(0, 0x83), (1, 0x01), (4095, 0xC0)]),
                (2, vec![(0, 0x01), (4095, 0x80)]),
                (131_072, vec![(4095, 0x60)]),
            ]
        );
        let file = write_spark_parquet(&ids).unwrap();
        assert_eq!(read_spark_parquet(&file, &limits()).unwrap(), ids);
        assert_eq!(write_spark_parquet(&ids).unwrap(), file, "deterministic");
        let dense: RoaringBitmap = (0..200_000).chain(u32::MAX - 70_000..=u32::MAX).collect();
        assert_eq!(read_spark_parquet(&write_spark_parquet(&dense).unwrap(), &limits()).unwrap(), dense);
    }

    #[test]
    fn a_file_spark_wrote_reads_as_the_ids_it_was_given() {
        // tests/vectors/spark/README.md: Spark 4.3, local[2], these ids.
        let file = include_bytes!("../../../tests/vectors/spark/edges.snappy.parquet");
        let ids = read_spark_parquet(file, &limits()).unwrap();
        assert_eq!(
            ids.iter().collect::<Vec<_>>(),
            [0, 1, 2, 8, 9, 32_767, 32_768, 32_769, 65_536, u32::MAX - 1, u32::MAX]
        );
        for cut in 0..file.len() {
            assert!(read_spark_parquet(&file[..cut], &limits()).is_err());
        }
        for at in 0..file.len() {
            let mut bad = file.to_vec();
            bad[at] ^= 0xFF;
            let _ = read_spark_parquet(&bad, &limits());
        }
    }

    #[test]
    fn the_same_bucket_in_two_files_is_ored_but_not_twice_in_one() {
        let mut ids = RoaringBitmap::new();
        or_spark_parquet(&mut ids, &rows_file(&[(Some(1), Some(bitmap_with(&[0])))]), &limits()).unwrap();
        or_spark_parquet(&mut ids, &rows_file(&[(Some(1), Some(bitmap_with(&[4])))]), &limits()).unwrap();
        assert_eq!(ids.iter().collect::<Vec<_>>(), [1, 5]);
        let twice = rows_file(&[(Some(1), Some(bitmap_with(&[0]))), (Some(1), Some(bitmap_with(&[4])))]);
        assert_eq!(
            read_spark_parquet(&twice, &limits()).unwrap_err().kind(),
            ErrorKind::SparkDuplicateBucket
        );
    }

    #[test]
    fn buckets_and_bits_no_u32_id_maps_to_are_refused() {
        let kind = |bucket: i64, positions: &[usize]| {
            read_spark_parquet(&rows_file(&[(Some(bucket), Some(bitmap_with(positions)))]), &limits())
                .map_err(|e| e.kind())
        };
        assert_eq!(kind(0, &[0]).unwrap().iter().collect::<Vec<_>>(), [0]);
        assert_eq!(kind(0, &[1]), Err(ErrorKind::SparkBucket)); // id -1
        assert_eq!(kind(-1, &[0]), Err(ErrorKind::SparkBucket));
        assert_eq!(kind(131_073, &[0]), Err(ErrorKind::SparkBucket));
        assert_eq!(kind(i64::MAX, &[0]), Err(ErrorKind::SparkBucket));
        assert_eq!(kind(131_072, &[32_767]), Err(ErrorKind::SparkBucket)); // id 2^32
        assert_eq!(kind(131_072, &[32_766]).unwrap().iter().collect::<Vec<_>>(), [u32::MAX]);
    }

    #[test]
    fn wrong_sizes_nulls_types_and_bytes_are_refused_with_their_kinds() {
        let kind = |file: &[u8]| read_spark_parquet(file, &limits()).unwrap_err().kind();
        for len in [0, 1, 4_095, 4_097, 8_192] {
            assert_eq!(
                kind(&rows_file(&[(Some(1), Some(vec![0xFF; len]))])),
                ErrorKind::SparkBitmapSize,
                "{len}"
            );
        }
        assert_eq!(kind(&rows_file(&[(None, Some(bitmap_with(&[0])))])), ErrorKind::SparkNull);
        assert_eq!(kind(&rows_file(&[(Some(1), None)])), ErrorKind::SparkNull);
        // Not Parquet, cut short, or a footer pointing nowhere.
        let good = write_spark_parquet(&(1..100).collect()).unwrap();
        assert_eq!(kind(b"not parquet at all"), ErrorKind::ParquetFormat);
        assert_eq!(kind(&good[..good.len() - 1]), ErrorKind::ParquetFormat);
        assert_eq!(kind(&good[good.len() / 2..]), ErrorKind::ParquetFormat);
        let mut flipped = good.clone();
        let footer = flipped.len() - 8;
        flipped[footer..footer + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(kind(&flipped), ErrorKind::ParquetFormat);
        // Wrong column types and names.
        let int32 = hand_made("message m { required int32 bucket; required binary bitmap; }", |g| {
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<parquet::data_type::Int32Type>().write_batch(&[1], None, None).unwrap();
            c.close().unwrap();
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<ByteArrayType>()
                .write_batch(&[ByteArray::from(bitmap_with(&[0]))], None, None)
                .unwrap();
            c.close().unwrap();
        });
        assert_eq!(kind(&int32), ErrorKind::SparkSchema);
        let text = hand_made("message m { required int64 bucket; required binary bitmap (UTF8); }", |g| {
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<Int64Type>().write_batch(&[1], None, None).unwrap();
            c.close().unwrap();
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<ByteArrayType>().write_batch(&[ByteArray::from("x")], None, None).unwrap();
            c.close().unwrap();
        });
        assert_eq!(kind(&text), ErrorKind::SparkSchema);
        let renamed = hand_made("message m { required int64 bucket; required int64 bits; }", |g| {
            for _ in 0..2 {
                let mut c = g.next_column().unwrap().unwrap();
                c.typed::<Int64Type>().write_batch(&[1], None, None).unwrap();
                c.close().unwrap();
            }
        });
        assert_eq!(kind(&renamed), ErrorKind::SparkSchema);
        let one = hand_made("message m { required int64 bucket; }", |g| {
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<Int64Type>().write_batch(&[1], None, None).unwrap();
            c.close().unwrap();
        });
        assert_eq!(kind(&one), ErrorKind::SparkSchema);
        // Over the byte limit.
        let small = InterchangeLimits { max_bytes: 100, ..limits() };
        assert_eq!(read_spark_parquet(&good, &small).unwrap_err().kind(), ErrorKind::SizeLimit);
    }

    #[test]
    fn every_truncation_and_byte_flip_is_an_error_or_a_set_never_a_panic() {
        let ids: RoaringBitmap = (1..5_000).step_by(3).chain([0, u32::MAX]).collect();
        let file = write_spark_parquet(&ids).unwrap();
        for cut in 0..file.len() {
            assert!(read_spark_parquet(&file[..cut], &limits()).is_err());
        }
        for at in 0..file.len() {
            for mask in [0x01, 0x80, 0xFF] {
                let mut bad = file.clone();
                bad[at] ^= mask;
                // Any outcome but a panic: a flipped bitmap bit is still a set.
                let _ = read_spark_parquet(&bad, &limits());
            }
        }
    }
}
