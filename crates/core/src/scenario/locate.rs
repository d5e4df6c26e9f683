//! Finding where a key path sits in the scenario text, so validation
//! problems can name `file:line:column` like syntax errors do.

use toml::de::{DeTable, DeValue};

/// Line and column (both from 1) of the value at `path` in `text`, e.g.
/// `learning.rate` or `events[2].at`. `None` if the key is not written in
/// the text (a default or an override) or the text does not parse.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut span = None;
    let mut value: Option<&DeValue<'_>> = None;
    for seg in split(path) {
        match seg {
            Segment::Key(k) => {
                let t = match value {
                    None => table,
                    Some(DeValue::Table(t)) => t,
                    Some(_) => return None,
                };
                table = t;
                let (_, v) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k)?;
                span = Some(v.span());
                value = Some(v.get_ref());
            }
            Segment::Index(i) => match value {
                Some(DeValue::Array(a)) => {
                    let v = a.get(i)?;
                    span = Some(v.span());
                    value = Some(v.get_ref());
                }
                _ => return None,
            },
        }
    }
    Some(line_col(text, span?.start))
}

/// Line and column (from 1) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// `events[2].at` → Key(events), Index(2), Key(at).
fn split(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[learning]\nrate = 1.3\n\n[[events]]\nkind = \"a\"\n\n[[events]]\nkind = \"b\"\n  at = 5\n";

    #[test]
    fn finds_keys_and_array_entries() {
        assert_eq!(locate(TEXT, "learning.rate"), Some((3, 8)));
        assert_eq!(locate(TEXT, "events[1].at"), Some((10, 8)));
        assert_eq!(locate(TEXT, "events[0].kind"), Some((6, 8)));
        assert_eq!(locate(TEXT, "name"), Some((1, 8)));
    }

    #[test]
    fn missing_keys_have_no_place() {
        assert_eq!(locate(TEXT, "learning.forgetting"), None);
        assert_eq!(locate(TEXT, "events[7].at"), None);
        assert_eq!(locate("not toml [", "a"), None);
    }
}
