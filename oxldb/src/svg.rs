//! A few SVG elements written by hand, for the book's figures (`oxldb levels --svg`, `oxldb sst_layout --svg`).
//!
//! Invariant: the output depends only on the calls made, and every number is printed with one decimal, so that a
//! figure made twice from the same input is the same bytes (the book's figures are checked against the commands
//! that make them).

use std::fmt::Write;

/// An SVG document being written: elements are appended in drawing order (later ones on top).
pub struct Svg {
    body: String,
    width: f64,
    height: f64,
}

/// `text` with the five characters XML gives a meaning escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a text's `x` is: its start, middle or end.
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            body: String::new(),
            width,
            height,
        }
    }

    /// A filled rectangle with a thin outline; `title` is the tooltip a browser shows over it.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: &str) {
        let _ = writeln!(
            self.body,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="#333" stroke-width="0.5"><title>{}</title></rect>"##,
            escape(title)
        );
    }

    /// A line of text at (`x`, `y`) (the baseline), `size` pixels high.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, text: &str) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(text)
        );
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        let _ = writeln!(
            self.body,
            r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#999" stroke-width="0.5"/>"##
        );
    }

    /// The whole document: a white background, then the elements.
    pub fn finish(self) -> String {
        let (w, h) = (self.width, self.height);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.1}\" height=\"{h:.1}\" viewBox=\"0 0 {w:.1} {h:.1}\" font-family=\"monospace\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_numbers_have_one_decimal() {
        let mut svg = Svg::new(10.0, 5.0);
        svg.text(1.0, 2.25, 3.0, Anchor::Middle, "'a' < \"b\" & c");
        let out = svg.finish();
        assert!(out.contains(r#"<text x="1.0" y="2.2" font-size="3.0" text-anchor="middle">&apos;a&apos; &lt; &quot;b&quot; &amp; c</text>"#), "{out}");
        assert!(out.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10.0\" height=\"5.0\""
        ));
        assert!(out.ends_with("</svg>\n"));
    }
}
