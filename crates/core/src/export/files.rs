//! Writing a folder of named files in one go (a decision study's tables,
//! figures and page): `plots/` is made, each file written atomically in
//! order, and a failure names the folder.

use super::atomic;
use crate::command::Failure;
use std::path::Path;

/// Write `files` (name relative to `out`, bytes) into `out` in order,
/// after making `out/plots`; a failure names the folder.
pub fn write_all(out: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    let write = || -> anyhow::Result<()> {
        std::fs::create_dir_all(out.join("plots"))?;
        for (name, bytes) in files {
            atomic::write(&out.join(name), bytes)?;
        }
        Ok(())
    };
    write()
        .map_err(|e| Failure::Runtime(e.context(format!("cannot write into '{}'", out.display()))))
}

/// Write a study's folder (`out`, or `output/<scenario>-<kind>`): its
/// data files, then its figures and page (`drawn`, empty for none), then
/// the resolved scenario.toml. Returns the folder.
pub fn write_study(
    out: Option<&Path>,
    scenario: &crate::scenario::Scenario,
    kind: &str,
    mut files: Vec<(String, Vec<u8>)>,
    drawn: Vec<(String, Vec<u8>)>,
) -> Result<std::path::PathBuf, Failure> {
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new("output").join(format!("{}-{kind}", scenario.name())));
    files.extend(drawn);
    files.push((
        "scenario.toml".into(),
        scenario.resolved_toml().into_bytes(),
    ));
    write_all(&out, &files)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_written_and_a_failure_names_the_folder() {
        let d = tempfile::tempdir().unwrap();
        let files = [
            ("a.csv".to_string(), b"x\n".to_vec()),
            ("plots/b.svg".into(), b"<svg/>".to_vec()),
        ];
        write_all(d.path(), &files).unwrap();
        assert_eq!(std::fs::read(d.path().join("a.csv")).unwrap(), b"x\n");
        assert_eq!(
            std::fs::read(d.path().join("plots/b.svg")).unwrap(),
            b"<svg/>"
        );
        // A file where the folder should be: a runtime failure naming it.
        let blocked = d.path().join("a.csv");
        let e = write_all(&blocked, &files).unwrap_err();
        assert!(matches!(e, Failure::Runtime(_)));
        assert!(e.to_string().starts_with("cannot write into '"), "{e}");
    }
}
