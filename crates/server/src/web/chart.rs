//! A tiny server-rendered SVG chart: bars for a list of labelled values, drawn as columns (hours,
//! days) or as horizontal bars (channels, merchants, products). No script and no CDN: the
//! console's Content-Security-Policy forbids both, and a chart must read without JavaScript.
//! Each chart is an image with a `<title>` and an `aria-label`; the page puts its numbers in a
//! table beside it for screen readers and for whoever wants the figures.

use std::fmt::Write as _;

use crate::documents::html::escape;

/// Which way the bars run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Vertical columns along a horizontal axis (a series in time).
    Columns,
    /// Horizontal bars, one a row (categories with long names).
    Bars,
}

/// Width of the drawing in its own units; the SVG scales to its box (`width: 100%`).
const WIDTH: f64 = 640.0;
/// Height of a columns chart.
const COLUMNS_HEIGHT: f64 = 200.0;
/// Height of one row of a bars chart.
const ROW: f64 = 36.0;
/// Room for the labels under the columns or left of the bars.
const LABEL: f64 = 24.0;
const LABEL_WIDTH: f64 = 230.0;

/// Draws `values` (label, value, the value as shown) as an SVG image titled `title`.
/// Negative values are drawn as zero; an all-zero series draws flat bars.
pub fn svg(shape: Shape, title: &str, values: &[(String, i64, String)]) -> String {
    let max = values.iter().map(|(_, value, _)| *value).max().unwrap_or(0).max(1) as f64;
    let title = escape(title);
    let height = match shape {
        Shape::Columns => COLUMNS_HEIGHT + LABEL,
        Shape::Bars => (values.len().max(1) as f64) * ROW,
    };
    let class = match shape {
        Shape::Columns => "chart columns",
        Shape::Bars => "chart bars",
    };
    let mut out = format!(
        "<svg class=\"{class}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-label=\"{title}\" preserveAspectRatio=\"xMidYMid meet\"><title>{title}</title>"
    );
    match shape {
        Shape::Columns => {
            let slot = WIDTH / values.len().max(1) as f64;
            // Label every column while they fit; otherwise every n-th, so they never overlap.
            let every = ((values.len() as f64 * 28.0) / WIDTH).ceil().max(1.0) as usize;
            for (i, (label, value, shown)) in values.iter().enumerate() {
                let h = (*value).max(0) as f64 / max * (COLUMNS_HEIGHT - 16.0);
                let x = i as f64 * slot;
                let _ = write!(
                    out,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {}</title></rect>",
                    x + slot * 0.15,
                    COLUMNS_HEIGHT - h,
                    slot * 0.7,
                    escape(label),
                    escape(shown)
                );
                if i % every == 0 {
                    let _ = write!(
                        out,
                        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                        x + slot / 2.0,
                        COLUMNS_HEIGHT + 16.0,
                        escape(label)
                    );
                }
            }
            let _ = write!(
                out,
                "<line class=\"baseline\" x1=\"0\" y1=\"{COLUMNS_HEIGHT}\" x2=\"{WIDTH}\" y2=\"{COLUMNS_HEIGHT}\"/>"
            );
        }
        Shape::Bars => {
            let room = WIDTH - LABEL_WIDTH - 130.0;
            for (i, (label, value, shown)) in values.iter().enumerate() {
                let w = (*value).max(0) as f64 / max * room;
                let y = i as f64 * ROW;
                let short: String = if label.chars().count() > 24 {
                    label.chars().take(23).chain(['…']).collect()
                } else {
                    label.clone()
                };
                let _ = write!(
                    out,
                    "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
                     <rect class=\"bar\" x=\"{LABEL_WIDTH}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect>\
                     <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    LABEL_WIDTH - 8.0,
                    y + ROW * 0.65,
                    escape(&short),
                    y + ROW * 0.15,
                    ROW * 0.7,
                    escape(label),
                    escape(shown),
                    LABEL_WIDTH + w + 6.0,
                    y + ROW * 0.65,
                    escape(shown)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_accessible_image_with_escaped_labels() {
        let values = vec![("<b>".to_owned(), 3, "3".to_owned()), ("té".to_owned(), 0, "0".to_owned())];
        for shape in [Shape::Columns, Shape::Bars] {
            let svg = svg(shape, "Ventas & pedidos", &values);
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\"Ventas &amp; pedidos\""));
            assert!(svg.contains("<title>Ventas &amp; pedidos</title>"));
            assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
            assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        }
        assert!(svg(Shape::Columns, "vacío", &[]).contains("</svg>"));
    }
}
