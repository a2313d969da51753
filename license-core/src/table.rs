//! Aligned plain-text tables, the one way every type renders for people
//! (license diffs, counts, hardware profiles).

/// A table of text cells rendered with columns padded to their widest cell.
#[derive(Debug, Default, Clone)]
pub(crate) struct Table {
    rows: Vec<Vec<String>>,
    header_rows: usize,
}

impl Table {
    /// An empty table.
    pub(crate) fn new() -> Table {
        Table::default()
    }

    /// Adds a header row, underlined when rendered. Call before any `row`.
    pub(crate) fn header<I, S>(mut self, cells: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self.header_rows = self.rows.len();
        self
    }

    /// Adds a row of cells.
    pub(crate) fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Renders the table: two spaces between columns, no trailing spaces,
    /// one line per row ending in `\n`.
    pub(crate) fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for (r, row) in self.rows.iter().enumerate() {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i] - cell.chars().count();
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if r + 1 == self.header_rows {
                let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
                out.extend(std::iter::repeat_n('-', total));
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_columns_to_the_widest_cell() {
        let mut t = Table::new().header(["field", "value"]);
        t.row(["id", "LIC-1"]);
        t.row(["licensee", "Åsa"]);
        assert_eq!(t.render(), "field     value\n---------------\nid        LIC-1\nlicensee  Åsa\n");
    }
}
