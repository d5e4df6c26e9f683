//! The format of a folder's tables: CSV (the default, every file as it
//! always was) or Parquet (`--format parquet`: `timeseries.parquet`,
//! `teams.parquet` and a sweep's `runs.parquet` with typed columns,
//! written *instead of* the `.csv` files; see [`super::columnar`]). The
//! other files (summary.csv, points.csv, ...) stay CSV or JSON in both.
//! A reader finds a table in a folder by [`locate`]: whichever of
//! `X.parquet` and `X.csv` is there.

use super::ReadError;
use std::path::{Path, PathBuf};

/// How a run or sweep writes its tables (`"csv"` or `"parquet"` in JSON).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `timeseries.csv`, `teams.csv`, `runs.csv` (the default).
    #[default]
    Csv,
    /// `timeseries.parquet`, `teams.parquet`, `runs.parquet`.
    Parquet,
}

/// The tables whose format [`Format`] chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// A run's or sweep's time series (`timeseries.*`).
    Timeseries,
    /// A run's teams (`teams.*`).
    Teams,
    /// A sweep's finished runs (`runs.*`).
    Runs,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 3] = [Table::Timeseries, Table::Teams, Table::Runs];

    /// The file name without its extension.
    pub fn stem(self) -> &'static str {
        match self {
            Table::Timeseries => "timeseries",
            Table::Teams => "teams",
            Table::Runs => "runs",
        }
    }

    /// What the file is, for messages ("time series").
    pub fn what(self) -> &'static str {
        match self {
            Table::Timeseries => "time series",
            Table::Teams => "teams file",
            Table::Runs => "runs file",
        }
    }
}

impl Format {
    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Csv, Format::Parquet];

    /// The file extension (no dot): `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// The file name of `table` in this format (`timeseries.parquet`).
    pub fn file(self, table: Table) -> String {
        format!("{}.{}", table.stem(), self.extension())
    }

    /// The format of a file by its extension (None: neither).
    pub fn of_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The format of the tables in `dir`: Parquet when it holds any
    /// `*.parquet` table, CSV otherwise (also when it holds none).
    pub fn of_folder(dir: &Path) -> Format {
        match Table::ALL
            .iter()
            .any(|t| dir.join(Format::Parquet.file(*t)).exists())
        {
            true => Format::Parquet,
            false => Format::Csv,
        }
    }

    /// Whether this build can write and read the format (Parquet needs
    /// the `parquet` feature of culturesim-core, on by default).
    pub fn available(self) -> bool {
        match self {
            Format::Csv => true,
            Format::Parquet => cfg!(feature = "parquet"),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    /// `csv` or `parquet` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(format!("the format must be csv or parquet, got '{s}'")),
        }
    }
}

/// The file of `table` in `dir` and its format: `X.parquet` or `X.csv`,
/// whichever exists. Neither: an [`ReadError::Io`] "not found" naming
/// `X.csv` (the default's name). Both: an [`ReadError::Invalid`] (a
/// folder culturesim writes never holds both).
pub fn locate(dir: &Path, table: Table) -> Result<(PathBuf, Format), ReadError> {
    let csv = dir.join(Format::Csv.file(table));
    let parquet = dir.join(Format::Parquet.file(table));
    match (csv.exists(), parquet.exists()) {
        (true, true) => Err(ReadError::Invalid {
            path: dir.to_path_buf(),
            what: "output folder",
            line: 0,
            column: 0,
            field: String::new(),
            message: format!(
                "it holds both {} and {}; remove the one that is not this run's",
                Format::Csv.file(table),
                Format::Parquet.file(table)
            ),
        }),
        (false, true) => Ok((parquet, Format::Parquet)),
        (true, false) => Ok((csv, Format::Csv)),
        (false, false) => Err(ReadError::Io {
            path: csv,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("No such file (nor {})", Format::Parquet.file(table)),
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_a_folder_tells_its_format() {
        assert_eq!("parquet".parse::<Format>(), Ok(Format::Parquet));
        assert_eq!("CSV".parse::<Format>(), Ok(Format::Csv));
        assert!("json".parse::<Format>().unwrap_err().contains("got 'json'"));
        assert_eq!(Format::Parquet.file(Table::Runs), "runs.parquet");
        assert_eq!(Format::default(), Format::Csv);
        assert_eq!(
            Format::of_path(Path::new("a/teams.parquet")),
            Some(Format::Parquet)
        );
        let d = tempfile::tempdir().unwrap();
        assert_eq!(Format::of_folder(d.path()), Format::Csv);
        let e = locate(d.path(), Table::Teams).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert!(e.to_string().contains("teams.csv"), "{e}");
        std::fs::write(d.path().join("teams.parquet"), b"").unwrap();
        assert_eq!(Format::of_folder(d.path()), Format::Parquet);
        let (p, f) = locate(d.path(), Table::Teams).unwrap();
        assert_eq!(
            (p.file_name().unwrap().to_str(), f),
            (Some("teams.parquet"), Format::Parquet)
        );
        std::fs::write(d.path().join("teams.csv"), b"").unwrap();
        let e = locate(d.path(), Table::Teams).unwrap_err().to_string();
        assert!(e.contains("both teams.csv and teams.parquet"), "{e}");
    }
}
