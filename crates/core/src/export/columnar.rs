//! Columnar outputs: the time series, teams and runs tables as Arrow
//! record batches with typed columns, and as Parquet files
//! (`--format parquet`; [`super::format`]). A Parquet table holds exactly
//! the values of its CSV twin: the same rows in the same order, each cell
//! the number the CSV cell reads back as (the teams' culture and the
//! `year` rounded as the CSV writes them), and a null where the CSV cell
//! is empty (an undefined value).
//!
//! | table | columns |
//! |---|---|
//! | timeseries | `point` u32, `replicate` u32, `step` u32, `year` f64, then one nullable f64 per metric |
//! | teams | (`replicate` u32, per-replicate files only), `step` u32, `division` utf8, `team` utf8, `culture` f64 |
//! | runs | `point` u32, `replicate` u32, `steps` u32, then one nullable f64 per column |
//!
//! Writers stream: rows are gathered into row groups of [`ROW_GROUP_ROWS`]
//! rows, each encoded and written out when full, so memory stays flat
//! however many runs go by; the row groups depend on the rows alone (not
//! on how the caller batches them or on the thread count), so the same
//! rows always give the same bytes. Snappy compression, dictionary
//! encoding where it pays (parquet's defaults). The writers write to any
//! `Write`; the caller owns the file (an [`super::atomic::AtomicFile`]).
//!
//! Readers ([`read_timeseries`], [`read_teams`], [`read_runs`]) give the
//! core's typed tables ([`Timeseries`], [`TeamsFile`], [`Runs`]); a file
//! that is not Parquet, or lacks a column, or holds a null or a wrong
//! type where a number must be, is a [`ReadError`] naming the file, the
//! column and the row. Integer and float columns of other widths (as
//! other tools write them) are read too.

use super::ReadError;
use super::runs::{RunRow, Runs};
use super::teams::{TeamRow, TeamsFile, culture_value};
use super::timeseries::{Timeseries, TimeseriesRow, year};
use crate::analysis::groups::GroupMeans;
use crate::engine::RunOutput;
use arrow_array::builder::{Float64Builder, StringBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

pub use arrow_array;
pub use arrow_schema;
pub use parquet;

/// Rows per row group: about 64 thousand (a few MB of a wide table in
/// memory while it fills).
pub const ROW_GROUP_ROWS: usize = 1 << 16;

/// The result of a Parquet write.
pub type WriteResult<T> = Result<T, ParquetError>;

/// The columns of a time series before its metrics.
const TIMESERIES_KEYS: [&str; 4] = ["point", "replicate", "step", "year"];

/// The schema of a time series with `metrics` (and `year`, unless
/// `has_year` is false: an older CSV converted).
pub fn timeseries_schema<S: AsRef<str>>(metrics: &[S], has_year: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("point", DataType::UInt32, false),
        Field::new("replicate", DataType::UInt32, false),
        Field::new("step", DataType::UInt32, false),
    ];
    if has_year {
        fields.push(Field::new("year", DataType::Float64, false));
    }
    fields.extend(
        metrics
            .iter()
            .map(|m| Field::new(m.as_ref(), DataType::Float64, true)),
    );
    Arc::new(Schema::new(fields))
}

/// The schema of a teams table (`replicate` first when `per_replicate`,
/// `division` when `has_division`).
pub fn teams_schema(per_replicate: bool, has_division: bool) -> SchemaRef {
    let mut fields = Vec::new();
    if per_replicate {
        fields.push(Field::new("replicate", DataType::UInt32, false));
    }
    fields.push(Field::new("step", DataType::UInt32, false));
    if has_division {
        fields.push(Field::new("division", DataType::Utf8, false));
    }
    fields.push(Field::new("team", DataType::Utf8, false));
    fields.push(Field::new("culture", DataType::Float64, false));
    Arc::new(Schema::new(fields))
}

/// The schema of a runs table with `columns` after `point,replicate,steps`.
pub fn runs_schema<S: AsRef<str>>(columns: &[S]) -> SchemaRef {
    let mut fields = vec![
        Field::new("point", DataType::UInt32, false),
        Field::new("replicate", DataType::UInt32, false),
        Field::new("steps", DataType::UInt32, false),
    ];
    fields.extend(
        columns
            .iter()
            .map(|c| Field::new(c.as_ref(), DataType::Float64, true)),
    );
    Arc::new(Schema::new(fields))
}

/// A value cell: the number, or null where the CSV cell is empty (a
/// value that is not finite).
fn cell(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// One column being filled.
enum Builder {
    U32(UInt32Builder),
    F64(Float64Builder),
    Str(StringBuilder),
}

impl Builder {
    fn of(t: &DataType) -> Self {
        match t {
            DataType::UInt32 => Builder::U32(UInt32Builder::with_capacity(ROW_GROUP_ROWS)),
            DataType::Utf8 => Builder::Str(StringBuilder::new()),
            _ => Builder::F64(Float64Builder::with_capacity(ROW_GROUP_ROWS)),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::U32(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Str(b) => Arc::new(b.finish()),
        }
    }

    fn u32(&mut self, v: u32) {
        match self {
            Builder::U32(b) => b.append_value(v),
            _ => unreachable!("a u32 into another column type"),
        }
    }

    fn f64(&mut self, v: Option<f64>) {
        match self {
            Builder::F64(b) => b.append_option(v),
            _ => unreachable!("an f64 into another column type"),
        }
    }

    fn str(&mut self, v: &str) {
        match self {
            Builder::Str(b) => b.append_value(v),
            _ => unreachable!("a string into another column type"),
        }
    }
}

/// The writer properties of every table: snappy, the row groups' size.
fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build()
}

/// A Parquet table being written, one row group at a time.
struct Table<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    columns: Vec<Builder>,
    rows: usize,
}

impl<W: Write + Send> Table<W> {
    fn new(inner: W, schema: SchemaRef) -> WriteResult<Self> {
        let columns = schema
            .fields()
            .iter()
            .map(|f| Builder::of(f.data_type()))
            .collect();
        Ok(Self {
            writer: ArrowWriter::try_new(inner, schema.clone(), Some(properties()))?,
            schema,
            columns,
            rows: 0,
        })
    }

    /// A row was appended to every column: write the row group when full.
    fn row_done(&mut self) -> WriteResult<()> {
        self.rows += 1;
        if self.rows == ROW_GROUP_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the rows gathered so far as one row group.
    fn flush(&mut self) -> WriteResult<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays = self.columns.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.writer.write(&batch)?;
        self.writer.flush()?;
        self.rows = 0;
        Ok(())
    }

    /// Write the last row group and the footer; returns the inner writer.
    fn finish(mut self) -> WriteResult<W> {
        self.flush()?;
        self.writer.into_inner()
    }
}

/// A time series written as Parquet, run by run (the twin of
/// [`super::timeseries::TimeseriesWriter`] and of a sweep's stride).
pub struct TimeseriesParquet<W: Write + Send> {
    table: Table<W>,
    has_year: bool,
    width: usize,
}

impl<W: Write + Send> TimeseriesParquet<W> {
    /// Start a table of `metrics` (with the `year` column unless
    /// `has_year` is false).
    pub fn new<S: AsRef<str>>(inner: W, metrics: &[S], has_year: bool) -> WriteResult<Self> {
        Ok(Self {
            table: Table::new(inner, timeseries_schema(metrics, has_year))?,
            has_year,
            width: metrics.len(),
        })
    }

    /// Append one row (`values`: one per metric; a value that is not
    /// finite becomes a null; `year` is ignored without the column).
    pub fn push(
        &mut self,
        point: u32,
        replicate: u32,
        step: u32,
        year: f64,
        values: &[f64],
    ) -> WriteResult<()> {
        if values.len() != self.width {
            return Err(ParquetError::General(format!(
                "a row of {} values in a time series of {} metrics",
                values.len(),
                self.width
            )));
        }
        let c = &mut self.table.columns;
        c[0].u32(point);
        c[1].u32(replicate);
        c[2].u32(step);
        let first = if self.has_year {
            c[3].f64(Some(year));
            4
        } else {
            3
        };
        for (b, v) in c[first..].iter_mut().zip(values) {
            b.f64(cell(*v));
        }
        self.table.row_done()
    }

    /// Append the rows of one run: every `every`-th step and the last
    /// (`every` 1: every step), a step lasting `years_per_step` years —
    /// the rows of `timeseries.csv` for a run (every step) or a sweep.
    pub fn write_run(
        &mut self,
        run: &RunOutput,
        every: u32,
        years_per_step: f64,
    ) -> WriteResult<()> {
        let last = run.len().saturating_sub(1);
        let every = every.max(1) as usize;
        for n in 0..run.len() {
            if n % every == 0 || n == last {
                self.push(
                    run.id.point,
                    run.id.replicate,
                    n as u32,
                    year(n, years_per_step),
                    run.row(n),
                )?;
            }
        }
        Ok(())
    }

    /// Append a row of a table read back.
    pub fn push_row(&mut self, row: &TimeseriesRow) -> WriteResult<()> {
        self.push(
            row.point,
            row.replicate,
            row.step as u32,
            row.year,
            &row.values,
        )
    }

    /// Write the last row group and the footer; returns the inner writer.
    pub fn finish(self) -> WriteResult<W> {
        self.table.finish()
    }
}

/// A teams table written as Parquet: the means over replicates, or per
/// replicate as runs finish (the twin of
/// [`super::teams::PerReplicateWriter`] and [`super::teams::means_csv`]).
pub struct TeamsParquet<W: Write + Send> {
    table: Table<W>,
    per_replicate: bool,
    has_division: bool,
}

impl<W: Write + Send> TeamsParquet<W> {
    /// Start a table (`per_replicate`: with the `replicate` column;
    /// `has_division`: with `division`).
    pub fn new(inner: W, per_replicate: bool, has_division: bool) -> WriteResult<Self> {
        Ok(Self {
            table: Table::new(inner, teams_schema(per_replicate, has_division))?,
            per_replicate,
            has_division,
        })
    }

    /// Append one row; `culture` is rounded to 6 decimals, as the CSV
    /// writes it (`replicate` and `division` are ignored without their
    /// columns).
    pub fn push(
        &mut self,
        replicate: u32,
        step: u32,
        division: &str,
        team: &str,
        culture: f64,
    ) -> WriteResult<()> {
        let c = &mut self.table.columns;
        let mut i = 0;
        if self.per_replicate {
            c[0].u32(replicate);
            i = 1;
        }
        c[i].u32(step);
        i += 1;
        if self.has_division {
            c[i].str(division);
            i += 1;
        }
        c[i].str(team);
        c[i + 1].f64(Some(culture_value(culture)));
        self.table.row_done()
    }

    /// Append the group samples of one run (a per-replicate table of
    /// groups `names` in `divisions`, sampled every `stride` steps;
    /// nothing for a run without group samples).
    pub fn write_run(
        &mut self,
        run: &RunOutput,
        names: &[String],
        divisions: &[String],
        stride: u32,
    ) -> WriteResult<()> {
        let w = names.len();
        if w == 0 || run.group_width != w {
            return Ok(());
        }
        for (j, sample) in run.groups.chunks_exact(w).enumerate() {
            for (g, &v) in sample.iter().enumerate() {
                let division = divisions.get(g).map_or("", String::as_str);
                self.push(
                    run.id.replicate,
                    j as u32 * stride,
                    division,
                    &names[g],
                    f64::from(v),
                )?;
            }
        }
        Ok(())
    }

    /// Append the means over replicates (a table without `replicate`).
    pub fn write_means(&mut self, teams: &GroupMeans, divisions: &[String]) -> WriteResult<()> {
        for (step, g, v) in teams.means() {
            let division = divisions.get(g).map_or("", String::as_str);
            self.push(0, step, division, &teams.names()[g], v)?;
        }
        Ok(())
    }

    /// Write the last row group and the footer; returns the inner writer.
    pub fn finish(self) -> WriteResult<W> {
        self.table.finish()
    }
}

/// A sweep's runs table written as Parquet, run by run.
pub struct RunsParquet<W: Write + Send> {
    table: Table<W>,
    width: usize,
}

impl<W: Write + Send> RunsParquet<W> {
    /// Start a table with `columns` after `point,replicate,steps`.
    pub fn new<S: AsRef<str>>(inner: W, columns: &[S]) -> WriteResult<Self> {
        Ok(Self {
            table: Table::new(inner, runs_schema(columns))?,
            width: columns.len(),
        })
    }

    /// Append one run (`values`: one per column, `None` or a value that is
    /// not finite becomes a null).
    pub fn push(
        &mut self,
        point: u32,
        replicate: u32,
        steps: u32,
        values: &[Option<f64>],
    ) -> WriteResult<()> {
        if values.len() != self.width {
            return Err(ParquetError::General(format!(
                "a run of {} values in a runs table of {} columns",
                values.len(),
                self.width
            )));
        }
        let c = &mut self.table.columns;
        c[0].u32(point);
        c[1].u32(replicate);
        c[2].u32(steps);
        for (b, v) in c[3..].iter_mut().zip(values) {
            b.f64(v.and_then(cell));
        }
        self.table.row_done()
    }

    /// Append a row of a table read back.
    pub fn push_row(&mut self, row: &RunRow) -> WriteResult<()> {
        self.push(row.point, row.replicate, row.steps, &row.values)
    }

    /// Write the last row group and the footer; returns the inner writer.
    pub fn finish(self) -> WriteResult<W> {
        self.table.finish()
    }
}

/// Write a whole time series as Parquet.
pub fn write_timeseries<W: Write + Send>(ts: &Timeseries, inner: W) -> WriteResult<W> {
    let mut w = TimeseriesParquet::new(inner, &ts.metrics, ts.has_year)?;
    for r in &ts.rows {
        w.push_row(r)?;
    }
    w.finish()
}

/// Write a whole teams table as Parquet.
pub fn write_teams<W: Write + Send>(teams: &TeamsFile, inner: W) -> WriteResult<W> {
    let mut w = TeamsParquet::new(inner, teams.per_replicate, teams.has_division)?;
    for r in &teams.rows {
        w.push(r.replicate, r.step, &r.division, &r.team, r.culture)?;
    }
    w.finish()
}

/// Write a whole runs table as Parquet.
pub fn write_runs<W: Write + Send>(runs: &Runs, inner: W) -> WriteResult<W> {
    let mut w = RunsParquet::new(inner, &runs.columns)?;
    for r in &runs.rows {
        w.push_row(r)?;
    }
    w.finish()
}

/// The bytes of [`write_timeseries`].
pub fn timeseries_bytes(ts: &Timeseries) -> WriteResult<Vec<u8>> {
    write_timeseries(ts, Vec::new())
}

/// The bytes of [`write_teams`].
pub fn teams_bytes(teams: &TeamsFile) -> WriteResult<Vec<u8>> {
    write_teams(teams, Vec::new())
}

/// The bytes of [`write_runs`].
pub fn runs_bytes(runs: &Runs) -> WriteResult<Vec<u8>> {
    write_runs(runs, Vec::new())
}

/// A time series as one record batch with typed columns (for a caller
/// that hands Arrow data on, e.g. to Python).
pub fn timeseries_batch(ts: &Timeseries) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = timeseries_schema(&ts.metrics, ts.has_year);
    let rows = &ts.rows;
    let u32s = |f: &dyn Fn(&TimeseriesRow) -> u32| -> ArrayRef {
        Arc::new(arrow_array::UInt32Array::from_iter_values(
            rows.iter().map(f),
        ))
    };
    let mut arrays: Vec<ArrayRef> = vec![
        u32s(&|r| r.point),
        u32s(&|r| r.replicate),
        u32s(&|r| r.step as u32),
    ];
    if ts.has_year {
        arrays.push(Arc::new(arrow_array::Float64Array::from_iter_values(
            rows.iter().map(|r| r.year),
        )));
    }
    for m in 0..ts.metrics.len() {
        arrays.push(Arc::new(arrow_array::Float64Array::from_iter(
            rows.iter().map(|r| r.values.get(m).copied().and_then(cell)),
        )));
    }
    RecordBatch::try_new(schema, arrays)
}

/// A teams table as one record batch with typed columns.
pub fn teams_batch(teams: &TeamsFile) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = teams_schema(teams.per_replicate, teams.has_division);
    let rows = &teams.rows;
    let mut arrays: Vec<ArrayRef> = Vec::new();
    if teams.per_replicate {
        arrays.push(Arc::new(arrow_array::UInt32Array::from_iter_values(
            rows.iter().map(|r| r.replicate),
        )));
    }
    arrays.push(Arc::new(arrow_array::UInt32Array::from_iter_values(
        rows.iter().map(|r| r.step),
    )));
    if teams.has_division {
        arrays.push(Arc::new(arrow_array::StringArray::from_iter_values(
            rows.iter().map(|r| &r.division),
        )));
    }
    arrays.push(Arc::new(arrow_array::StringArray::from_iter_values(
        rows.iter().map(|r| &r.team),
    )));
    arrays.push(Arc::new(arrow_array::Float64Array::from_iter_values(
        rows.iter().map(|r| culture_value(r.culture)),
    )));
    RecordBatch::try_new(schema, arrays)
}

/// A runs table as one record batch with typed columns.
pub fn runs_batch(runs: &Runs) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = runs_schema(&runs.columns);
    let rows = &runs.rows;
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(arrow_array::UInt32Array::from_iter_values(
            rows.iter().map(|r| r.point),
        )),
        Arc::new(arrow_array::UInt32Array::from_iter_values(
            rows.iter().map(|r| r.replicate),
        )),
        Arc::new(arrow_array::UInt32Array::from_iter_values(
            rows.iter().map(|r| r.steps),
        )),
    ];
    for c in 0..runs.columns.len() {
        arrays.push(Arc::new(arrow_array::Float64Array::from_iter(
            rows.iter()
                .map(|r| r.values.get(c).copied().flatten().and_then(cell)),
        )));
    }
    RecordBatch::try_new(schema, arrays)
}

/// The columns of a Parquet file being read, with the file's name for
/// errors.
struct Columns<'a> {
    path: &'a Path,
    what: &'static str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl<'a> Columns<'a> {
    /// Read every record batch of the file at `path`.
    fn read(path: &'a Path, what: &'static str) -> Result<Self, ReadError> {
        let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |e: &dyn std::fmt::Display| ReadError::Invalid {
            path: path.to_path_buf(),
            what,
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("not a readable Parquet file: {e}"),
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| invalid(&e))?;
        let schema = builder.schema().clone();
        let reader = builder
            .with_batch_size(ROW_GROUP_ROWS)
            .build()
            .map_err(|e| invalid(&e))?;
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(&e))?;
        Ok(Self {
            path,
            what,
            schema,
            batches,
        })
    }

    /// An error about `field`.
    fn error(&self, field: &str, message: impl Into<String>) -> ReadError {
        ReadError::Invalid {
            path: self.path.to_path_buf(),
            what: self.what,
            line: 0,
            column: 0,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The column names, in file order.
    fn names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The index of column `name`, or an error naming it.
    fn index(&self, name: &str) -> Result<usize, ReadError> {
        self.schema.index_of(name).map_err(|_| {
            self.error(
                name,
                format!(
                    "no such column (the columns are {})",
                    self.names().join(",")
                ),
            )
        })
    }

    /// Column `i` as whole numbers (nulls refused), over every batch.
    fn u32s(&self, i: usize) -> Result<Vec<u32>, ReadError> {
        let name = self.schema.field(i).name();
        let mut out = Vec::new();
        for b in &self.batches {
            let col = b.column(i);
            let base = out.len();
            let values = ints(col).ok_or_else(|| {
                self.error(
                    name,
                    format!("holds {}, not whole numbers", col.data_type()),
                )
            })?;
            for (k, v) in values.into_iter().enumerate() {
                let row = base + k + 1;
                match v {
                    Some(v) => {
                        out.push(u32::try_from(v).map_err(|_| {
                            self.error(name, format!("row {row}: {v} is not a u32"))
                        })?)
                    }
                    None => return Err(self.error(name, format!("row {row}: a null"))),
                }
            }
        }
        Ok(out)
    }

    /// Column `i` as numbers (a null: `None`), over every batch.
    fn f64s(&self, i: usize) -> Result<Vec<Option<f64>>, ReadError> {
        let name = self.schema.field(i).name();
        let mut out = Vec::new();
        for b in &self.batches {
            let col = b.column(i);
            let values = floats(col).ok_or_else(|| {
                self.error(name, format!("holds {}, not numbers", col.data_type()))
            })?;
            out.extend(values);
        }
        Ok(out)
    }

    /// Column `i` as numbers, nulls refused.
    fn required_f64s(&self, i: usize) -> Result<Vec<f64>, ReadError> {
        let name = self.schema.field(i).name();
        self.f64s(i)?
            .into_iter()
            .enumerate()
            .map(|(k, v)| v.ok_or_else(|| self.error(name, format!("row {}: a null", k + 1))))
            .collect()
    }

    /// Column `i` as text, nulls refused.
    fn strings(&self, i: usize) -> Result<Vec<String>, ReadError> {
        let name = self.schema.field(i).name();
        let mut out = Vec::new();
        for b in &self.batches {
            let col = b.column(i);
            let base = out.len();
            let values = texts(col)
                .ok_or_else(|| self.error(name, format!("holds {}, not text", col.data_type())))?;
            for (k, v) in values.into_iter().enumerate() {
                match v {
                    Some(v) => out.push(v),
                    None => {
                        return Err(self.error(name, format!("row {}: a null", base + k + 1)));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// An integer column's values (None: not an integer column).
fn ints(col: &ArrayRef) -> Option<Vec<Option<i128>>> {
    macro_rules! of {
        ($t:ty) => {
            col.as_primitive_opt::<$t>()
                .map(|a| a.iter().map(|v| v.map(i128::from)).collect())
        };
    }
    match col.data_type() {
        DataType::UInt32 => of!(UInt32Type),
        DataType::UInt64 => of!(UInt64Type),
        DataType::UInt16 => of!(UInt16Type),
        DataType::UInt8 => of!(UInt8Type),
        DataType::Int64 => of!(Int64Type),
        DataType::Int32 => of!(Int32Type),
        DataType::Int16 => of!(Int16Type),
        DataType::Int8 => of!(Int8Type),
        _ => None,
    }
}

/// A number column's values (floats or integers; None: neither).
fn floats(col: &ArrayRef) -> Option<Vec<Option<f64>>> {
    match col.data_type() {
        DataType::Float64 => col
            .as_primitive_opt::<Float64Type>()
            .map(|a| a.iter().collect()),
        DataType::Float32 => col
            .as_primitive_opt::<Float32Type>()
            .map(|a| a.iter().map(|v| v.map(f64::from)).collect()),
        _ => ints(col).map(|v| v.into_iter().map(|x| x.map(|x| x as f64)).collect()),
    }
}

/// A text column's values (None: not text).
fn texts(col: &ArrayRef) -> Option<Vec<Option<String>>> {
    let owned = |v: Option<&str>| v.map(str::to_string);
    match col.data_type() {
        DataType::Utf8 => col
            .as_string_opt::<i32>()
            .map(|a| a.iter().map(owned).collect()),
        DataType::LargeUtf8 => col
            .as_string_opt::<i64>()
            .map(|a| a.iter().map(owned).collect()),
        DataType::Utf8View => col
            .as_string_view_opt()
            .map(|a| a.iter().map(owned).collect()),
        _ => None,
    }
}

/// Read `timeseries.parquet` at `path` (errors name the file, the column
/// and the row).
pub fn read_timeseries(path: &Path) -> Result<Timeseries, ReadError> {
    let c = Columns::read(path, "time series")?;
    let names = c.names();
    if names.len() < 3 || names[..3] != TIMESERIES_KEYS[..3] {
        return Err(c.error(
            "",
            format!(
                "expected the columns {} first, got {}",
                TIMESERIES_KEYS.join(","),
                names.join(",")
            ),
        ));
    }
    let has_year = names.get(3).is_some_and(|n| n == "year");
    let first = if has_year { 4 } else { 3 };
    let (point, replicate, step) = (c.u32s(0)?, c.u32s(1)?, c.u32s(2)?);
    let years = match has_year {
        true => c.required_f64s(3)?,
        false => vec![f64::NAN; point.len()],
    };
    let metrics: Vec<Vec<Option<f64>>> = (first..names.len())
        .map(|i| c.f64s(i))
        .collect::<Result<_, _>>()?;
    let rows = (0..point.len())
        .map(|k| TimeseriesRow {
            point: point[k],
            replicate: replicate[k],
            step: step[k] as usize,
            year: years[k],
            values: metrics.iter().map(|m| m[k].unwrap_or(f64::NAN)).collect(),
            line: 0,
        })
        .collect();
    Ok(Timeseries {
        metrics: names[first..].to_vec(),
        has_year,
        rows,
    })
}

/// Read `teams.parquet` at `path`.
pub fn read_teams(path: &Path) -> Result<TeamsFile, ReadError> {
    let c = Columns::read(path, "teams file")?;
    let names = c.names();
    let per_replicate = names.first().is_some_and(|n| n == "replicate");
    let has_division = names.iter().any(|n| n == "division");
    let expected: Vec<String> = teams_schema(per_replicate, has_division)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    if names != expected {
        return Err(c.error(
            "",
            format!(
                "expected the columns step,division,team,culture (with replicate first for per-replicate rows), got {}",
                names.join(",")
            ),
        ));
    }
    let step = c.u32s(c.index("step")?)?;
    let replicate = match per_replicate {
        true => c.u32s(0)?,
        false => vec![0; step.len()],
    };
    let division = match has_division {
        true => c.strings(c.index("division")?)?,
        false => vec![String::new(); step.len()],
    };
    let team = c.strings(c.index("team")?)?;
    let culture = c.required_f64s(c.index("culture")?)?;
    let rows = (0..step.len())
        .map(|k| TeamRow {
            replicate: replicate[k],
            step: step[k],
            division: division[k].clone(),
            team: team[k].clone(),
            culture: culture[k],
            line: 0,
        })
        .collect();
    Ok(TeamsFile {
        per_replicate,
        has_division,
        rows,
    })
}

/// Read `runs.parquet` at `path`.
pub fn read_runs(path: &Path) -> Result<Runs, ReadError> {
    let c = Columns::read(path, "runs file")?;
    let names = c.names();
    if names.len() < 3 || names[..3] != ["point", "replicate", "steps"] {
        return Err(c.error(
            "",
            format!(
                "expected the columns point,replicate,steps first, got {}",
                names.join(",")
            ),
        ));
    }
    let (point, replicate, steps) = (c.u32s(0)?, c.u32s(1)?, c.u32s(2)?);
    let columns: Vec<Vec<Option<f64>>> = (3..names.len())
        .map(|i| c.f64s(i))
        .collect::<Result<_, _>>()?;
    let rows = (0..point.len())
        .map(|k| RunRow {
            point: point[k],
            replicate: replicate[k],
            steps: steps[k],
            values: columns.iter().map(|col| col[k]).collect(),
            line: 0,
        })
        .collect();
    Ok(Runs {
        columns: names[3..].to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    fn run(point: u32, replicate: u32, values: Vec<f64>) -> RunOutput {
        RunOutput {
            id: RunId { point, replicate },
            width: 2,
            rows: values,
            group_width: 2,
            groups: vec![0.1234567, 1.0, 0.5, 0.0],
        }
    }

    /// The same runs through the CSV writer and the Parquet writer read
    /// back equal, value by value, nulls where the CSV cell is empty.
    #[test]
    fn a_parquet_time_series_holds_the_csv_values() {
        let week = 7.0 / 365.25;
        let runs = [
            run(
                0,
                0,
                vec![0.5, 10.0, 0.1 + 0.2, f64::NAN, 1e-7, f64::INFINITY],
            ),
            run(1, 3, vec![-0.0, 1.0 / 3.0, 2.5, 4.0, 5.0, 6.0]),
        ];
        let mut csv =
            super::super::timeseries::TimeseriesWriter::new(Vec::new(), &["culture", "n"], week)
                .unwrap();
        let mut pq = TimeseriesParquet::new(Vec::new(), &["culture", "n"], true).unwrap();
        for r in &runs {
            csv.write_run(r).unwrap();
            pq.write_run(r, 1, week).unwrap();
        }
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("timeseries.parquet");
        std::fs::write(&path, pq.finish().unwrap()).unwrap();
        let from_csv = Timeseries::parse(
            std::str::from_utf8(&csv.finish().unwrap()).unwrap(),
            Path::new("timeseries.csv"),
        )
        .unwrap();
        let from_pq = read_timeseries(&path).unwrap();
        assert_eq!(from_pq.metrics, from_csv.metrics);
        assert_eq!(from_pq.rows.len(), 6);
        for (a, b) in from_pq.rows.iter().zip(&from_csv.rows) {
            assert_eq!(
                (a.point, a.replicate, a.step),
                (b.point, b.replicate, b.step)
            );
            assert_eq!(a.year.to_bits(), b.year.to_bits());
            for (x, y) in a.values.iter().zip(&b.values) {
                assert_eq!(x.is_nan(), y.is_nan());
                if !x.is_nan() {
                    assert_eq!(x.to_bits(), y.to_bits(), "{x} vs {y}");
                }
            }
        }
        // Undefined and infinite values are nulls in the file.
        let batch = timeseries_batch(&from_pq).unwrap();
        assert_eq!(batch.column(4).null_count(), 0);
        assert_eq!(batch.column(5).null_count(), 2);
        assert_eq!(batch.schema().field(0).data_type(), &DataType::UInt32);
        // Written again from the table read back: the same bytes.
        assert_eq!(
            timeseries_bytes(&from_pq).unwrap(),
            std::fs::read(&path).unwrap()
        );
    }

    #[test]
    fn teams_and_runs_round_trip_with_their_types() {
        let d = tempfile::tempdir().unwrap();
        let names = vec!["a".to_string(), "b".to_string()];
        let divisions = vec!["d1".to_string(), "d2".to_string()];
        let mut pq = TeamsParquet::new(Vec::new(), true, true).unwrap();
        pq.write_run(&run(0, 2, vec![0.0; 2]), &names, &divisions, 5)
            .unwrap();
        let path = d.path().join("teams.parquet");
        std::fs::write(&path, pq.finish().unwrap()).unwrap();
        let teams = read_teams(&path).unwrap();
        assert!(teams.per_replicate && teams.has_division);
        assert_eq!(teams.rows.len(), 4);
        let r = &teams.rows[0];
        assert_eq!(
            (r.replicate, r.step, r.division.as_str(), r.team.as_str()),
            (2, 0, "d1", "a")
        );
        // 6 decimals, as teams.csv holds it.
        assert_eq!(r.culture, 0.123457);
        assert_eq!(teams.rows[3].step, 5);
        let csv = TeamsFile::parse(
            std::str::from_utf8(&teams.to_bytes()).unwrap(),
            Path::new("teams.csv"),
        )
        .unwrap();
        assert_eq!(
            csv.rows.iter().map(|r| r.culture).collect::<Vec<_>>(),
            teams.rows.iter().map(|r| r.culture).collect::<Vec<_>>()
        );
        let runs = Runs {
            columns: vec!["culture".into(), "asymmetry".into()],
            rows: vec![
                RunRow {
                    point: 0,
                    replicate: 1,
                    steps: 520,
                    values: vec![Some(0.25), None],
                    line: 0,
                },
                RunRow {
                    point: 1,
                    replicate: 0,
                    steps: 520,
                    values: vec![Some(f64::NAN), Some(1.0 / 7.0)],
                    line: 0,
                },
            ],
        };
        let path = d.path().join("runs.parquet");
        std::fs::write(&path, runs_bytes(&runs).unwrap()).unwrap();
        let back = read_runs(&path).unwrap();
        assert_eq!(back.columns, runs.columns);
        assert_eq!(back.rows[0], runs.rows[0]);
        assert_eq!(back.rows[1].values, vec![None, Some(1.0 / 7.0)]);
        assert_eq!(runs_batch(&back).unwrap().column(3).null_count(), 1);
    }

    #[test]
    fn row_groups_depend_on_the_rows_alone() {
        // The same rows pushed in different batches: the same bytes, and
        // more than one row group.
        let n = ROW_GROUP_ROWS + 10;
        let write = |chunk: usize| {
            let mut w = RunsParquet::new(Vec::new(), &["x"]).unwrap();
            let mut i = 0;
            while i < n {
                for k in i..(i + chunk).min(n) {
                    w.push(0, k as u32, 1, &[Some(k as f64 / 3.0)]).unwrap();
                }
                i += chunk;
            }
            w.finish().unwrap()
        };
        let a = write(7);
        assert_eq!(a, write(1000));
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("runs.parquet");
        std::fs::write(&path, &a).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let meta = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        assert_eq!(meta.metadata().num_row_groups(), 2);
        assert_eq!(read_runs(&path).unwrap().rows.len(), n);
    }

    #[test]
    fn a_file_that_is_not_a_table_of_its_kind_names_the_file_and_column() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("timeseries.parquet");
        std::fs::write(&path, b"point,replicate,step\n0,0,0\n").unwrap();
        let e = read_timeseries(&path).unwrap_err().to_string();
        assert!(
            e.contains(
                "timeseries.parquet' is not a valid time series: not a readable Parquet file"
            ),
            "{e}"
        );
        // A cut file (the footer lost).
        let runs = Runs {
            columns: vec!["x".into()],
            rows: vec![],
        };
        let bytes = runs_bytes(&runs).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 9]).unwrap();
        assert!(
            read_runs(&path)
                .unwrap_err()
                .to_string()
                .contains("not a readable Parquet")
        );
        // A runs table read as teams or as a time series.
        std::fs::write(&path, &bytes).unwrap();
        let e = read_teams(&path).unwrap_err().to_string();
        assert!(
            e.contains("expected the columns step,division,team,culture"),
            "{e}"
        );
        let e = read_timeseries(&path).unwrap_err().to_string();
        assert!(e.contains("got point,replicate,steps,x"), "{e}");
        // Text where a number must be.
        let schema = Arc::new(Schema::new(vec![
            Field::new("point", DataType::UInt32, false),
            Field::new("replicate", DataType::Utf8, false),
            Field::new("steps", DataType::UInt32, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(arrow_array::UInt32Array::from(vec![0])),
                Arc::new(arrow_array::StringArray::from(vec!["one"])),
                Arc::new(arrow_array::UInt32Array::from(vec![5])),
            ],
        )
        .unwrap();
        let mut w = ArrowWriter::try_new(Vec::new(), schema, None).unwrap();
        w.write(&batch).unwrap();
        std::fs::write(&path, w.into_inner().unwrap()).unwrap();
        let e = read_runs(&path).unwrap_err().to_string();
        assert!(
            e.contains("replicate: holds Utf8, not whole numbers"),
            "{e}"
        );
        let e = read_runs(&d.path().join("none.parquet")).unwrap_err();
        assert!(e.is_not_found());
    }
}
