//! CSV export of the report tables (RFC 4180: comma-separated, CRLF line ends, fields with
//! a comma, quote or line break quoted, quotes doubled).

/// A CSV document being written, header first.
pub struct Csv {
    text: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Self {
        let mut csv = Self { text: String::new() };
        csv.row(header.iter().copied());
        csv
    }

    /// Appends one record.
    pub fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_field(&mut self.text, field);
        }
        self.text.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn push_field(out: &mut String, field: &str) {
    // A leading `=`, `+`, `-` or `@` would make spreadsheets evaluate an agent's name as a
    // formula; numbers never start with them here except negatives, which we never write.
    let formula = field.starts_with(['=', '+', '-', '@']);
    if formula || field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// An optional number as a field: empty when absent.
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        let mut csv = Csv::new(&["name", "count"]);
        csv.row(["Ann, \"the\" lead", "3"]);
        csv.row(["line\nbreak", ""]);
        csv.row(["=SUM(A1)", "1"]);
        assert_eq!(
            csv.finish(),
            "name,count\r\n\"Ann, \"\"the\"\" lead\",3\r\n\"line\nbreak\",\r\n\"'=SUM(A1)\",1\r\n"
        );
    }
}
