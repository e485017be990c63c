//! RFC 4180 records as every CSV Ward writes them (the traceability matrix,
//! the change population of `ward history`): fields separated by commas, a
//! record ended by CRLF, a field quoted when it holds a comma, a double
//! quote, CR or LF, with its quotes doubled. A field that would start with
//! `=`, `+`, `-`, `@`, a tab or CR gets a leading `'`, so that a spreadsheet
//! shows it as text rather than running it as a formula (OWASP's advice
//! against CSV injection).
//!
//! Owns the quoting, not the columns: each CSV names its own.

/// Writes one record at the end of `out`.
pub(crate) fn record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// One field, defused and quoted, at the end of `out`.
fn push_field(out: &mut String, field: &str) {
    let defuse = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        if defuse {
            out.push('\'');
        }
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    fn quote(field: &str) -> String {
        let mut out = String::new();
        super::push_field(&mut out, field);
        out
    }

    #[test]
    fn quotes_only_what_rfc_4180_requires() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote(""), "");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("cr\rlf"), "\"cr\rlf\"");
    }

    #[test]
    fn defuses_formulas() {
        assert_eq!(quote("=1+1"), "'=1+1");
        assert_eq!(quote("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(quote("-2, or so"), "\"'-2, or so\"");
        assert_eq!(quote("\tx"), "'\tx");
        assert_eq!(quote("a=b"), "a=b");
    }

    #[test]
    fn records_end_with_crlf() {
        let mut out = String::new();
        super::record(&mut out, ["a", "b,c", ""]);
        assert_eq!(out, "a,\"b,c\",\r\n");
    }
}
