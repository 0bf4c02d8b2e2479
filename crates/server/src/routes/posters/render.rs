//! Drawing a poster. A poster is laid out once (`Layout`), in points from the top of an A4
//! page, and drawn by both renderers: the SVG with the same numbers in its view box, the PDF with
//! `pdf-writer` and the base-14 Helvetica of [`crate::documents::pdf`], whose metrics centre and
//! wrap the text, so the two print alike. The code (error correction M, a quiet zone of 4
//! modules) is drawn as filled rectangles, one per run of dark modules in a row.

use omnicanal_store::SiteRow;
use pdf_writer::{Content, Str};
use qrcode::{Color, EcLevel, QrCode};

use super::tables::TableLabel;
use crate::documents::pdf::{Font, PAGE_HEIGHT, PAGE_WIDTH, assemble, wrap};
use crate::documents::{encode_cp1252, printable};
use crate::error::{ApiError, ApiResult};
use omnicanal_app::AppError;

/// Light modules around the code, as the QR standard asks, so a phone finds its edges.
pub const QUIET_ZONE_MODULES: usize = 4;

/// Everything a poster says, in Spanish: the one table of texts of this module.
struct Texts {
    scan_to_order: &'static str,
    table: &'static str,
    document_title: &'static str,
}

const TEXTS: Texts = Texts { scan_to_order: "Escanea para pedir", table: "Mesa", document_title: "Carteles QR" };

/// The ordering page a poster leads to: `{public_url}/s/{site_id}`, and `?table={label}` for a
/// table, both percent-encoded.
pub fn order_url(public_url: &str, site_id: &str, table: Option<&TableLabel>) -> String {
    let mut url = format!("{public_url}/s/{}", percent_encode(site_id));
    if let Some(table) = table {
        url.push_str("?table=");
        url.push_str(&percent_encode(table.as_str()));
    }
    url
}

/// RFC 3986: unreserved characters as they are, every other byte of the UTF-8 as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(byte).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A QR code's modules, the quiet zone included, row by row from the top left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrModules {
    width: usize,
    dark: Vec<bool>,
}

impl QrModules {
    /// Encodes `text` at error correction level M (15 % of the code may be soiled or torn).
    pub fn encode(text: &str) -> Result<Self, ApiError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|error| AppError::Internal(format!("cannot encode a QR code for {text}: {error}").into()))?;
        let inner = code.width();
        let width = inner + 2 * QUIET_ZONE_MODULES;
        let mut dark = vec![false; width * width];
        for (index, color) in code.into_colors().into_iter().enumerate() {
            let (x, y) = (index % inner + QUIET_ZONE_MODULES, index / inner + QUIET_ZONE_MODULES);
            dark[y * width + x] = color == Color::Dark;
        }
        Ok(Self { width, dark })
    }

    /// Modules per side, the quiet zone included.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark (outside the code: light).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Each row's runs of dark modules as `(x, y, length)`, left to right, top to bottom.
    pub fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                if x > start {
                    runs.push((start, y, x - start));
                }
                x += 1;
            }
        }
        runs
    }
}

/// One poster: the site, the table if any, and the URL its code carries.
#[derive(Debug, Clone)]
pub struct Poster {
    /// The site's display name, printed at the top.
    pub site_name: String,
    /// The table, printed as "Mesa 12"; `None` for the site's own poster.
    pub table: Option<TableLabel>,
    /// The ordering page's absolute URL, in the code and in small print.
    pub url: String,
    /// The code.
    pub qr: QrModules,
}

impl Poster {
    /// The poster of `site` (or of one of its tables) whose code leads under `public_url`.
    pub fn new(public_url: &str, site: &SiteRow, table: Option<TableLabel>) -> ApiResult<Self> {
        let url = order_url(public_url, &site.id, table.as_ref());
        Ok(Self { site_name: site.name.clone(), qr: QrModules::encode(&url)?, url, table })
    }

    fn title(&self) -> String {
        match &self.table {
            Some(table) => format!("{} {} · {}", TEXTS.table, table.as_str(), self.site_name),
            None => self.site_name.clone(),
        }
    }
}

/// Left and right margin; text is centred between them.
const MARGIN: f32 = 50.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The code's side, quiet zone included: about 14 cm, readable from a few metres.
const QR_SIDE: f32 = 400.0;
const TOP_MARGIN: f32 = 60.0;

/// One line of centred text; `baseline` is measured from the top of the page.
#[derive(Debug, Clone, PartialEq)]
struct TextLine {
    text: String,
    font: Font,
    size: f32,
    baseline: f32,
    /// Grey small print rather than black.
    muted: bool,
}

/// Where everything of a poster goes, in points from the top left of an A4 page.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    lines: Vec<TextLine>,
    qr_left: f32,
    qr_top: f32,
    /// One module's side.
    module: f32,
}

/// The site's name (two lines at most), "Mesa 12", the code, "Escanea para pedir", the URL.
fn layout(poster: &Poster) -> Layout {
    let mut lines = Vec::new();
    let mut y = TOP_MARGIN;
    let mut line = |y: &mut f32, text: String, font: Font, size: f32, muted: bool| {
        *y += size;
        lines.push(TextLine { text, font, size, baseline: *y, muted });
    };
    for name_line in at_most_two_lines(&poster.site_name, Font::Bold, 30.0) {
        line(&mut y, name_line, Font::Bold, 30.0, false);
        y += 6.0;
    }
    if let Some(table) = &poster.table {
        let text = printable(&format!("{} {}", TEXTS.table, table.as_str()));
        let size = fitted(&text, Font::Bold, 48.0);
        y += 20.0;
        line(&mut y, text, Font::Bold, size, false);
    }
    y += 24.0;
    let (qr_left, qr_top) = ((PAGE_WIDTH - QR_SIDE) / 2.0, y);
    y += QR_SIDE + 12.0;
    line(&mut y, TEXTS.scan_to_order.to_owned(), Font::Bold, 26.0, false);
    y += 18.0;
    for url_line in wrap(&poster.url, Font::Regular, 10.0, TEXT_WIDTH) {
        line(&mut y, url_line, Font::Regular, 10.0, true);
        y += 3.0;
    }
    // The block is centred on the page, so a short poster does not leave its lower third empty.
    let shift = ((PAGE_HEIGHT - y - TOP_MARGIN) / 2.0).max(0.0);
    for line in &mut lines {
        line.baseline += shift;
    }
    Layout { lines, qr_left, qr_top: qr_top + shift, module: QR_SIDE / poster.qr.width() as f32 }
}

/// `text` wrapped to the text width, cut after two lines with an ellipsis.
fn at_most_two_lines(text: &str, font: Font, size: f32) -> Vec<String> {
    let mut lines = wrap(text, font, size, TEXT_WIDTH);
    if lines.len() > 2 {
        lines.truncate(2);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && font.width(&format!("{last}…"), size) > TEXT_WIDTH {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// The largest size up to `size` at which `text` fits the text width on one line.
fn fitted(text: &str, font: Font, size: f32) -> f32 {
    let width = font.width(text, size);
    if width > TEXT_WIDTH { size * TEXT_WIDTH / width } else { size }
}

/// One poster as a standalone SVG document the size of an A4 page.
pub fn render_svg(poster: &Poster) -> String {
    let layout = layout(poster);
    let mut svg = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"210mm\" height=\"297mm\" viewBox=\"0 0 {} {}\">\n\
         <title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
        number(PAGE_WIDTH),
        number(PAGE_HEIGHT),
        xml_text(&poster.title())
    );
    for line in &layout.lines {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{}\"{} \
             text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
            number(PAGE_WIDTH / 2.0),
            number(line.baseline),
            number(line.size),
            if line.font == Font::Bold { " font-weight=\"bold\"" } else { "" },
            if line.muted { "#595959" } else { "#000" },
            xml_text(&line.text)
        ));
    }
    let path: String =
        poster.qr.dark_runs().iter().map(|(x, y, length)| format!("M{x} {y}h{length}v1h-{length}z")).collect();
    svg.push_str(&format!(
        "<path id=\"qr\" transform=\"translate({} {}) scale({})\" fill=\"#000\" shape-rendering=\"crispEdges\" \
         d=\"{path}\"/>\n</svg>\n",
        number(layout.qr_left),
        number(layout.qr_top),
        number(layout.module)
    ));
    svg
}

/// The posters as an A4 PDF, one page each, in order.
pub fn render_pdf(posters: &[Poster]) -> Vec<u8> {
    let pages = posters.iter().map(|poster| pdf_page(poster, &layout(poster))).collect();
    let title = match posters.first() {
        Some(poster) => format!("{} · {}", TEXTS.document_title, poster.site_name),
        None => TEXTS.document_title.to_owned(),
    };
    assemble(pages, &title)
}

fn pdf_page(poster: &Poster, layout: &Layout) -> Vec<u8> {
    let mut page = Content::new();
    for line in &layout.lines {
        let x = PAGE_WIDTH / 2.0 - line.font.width(&line.text, line.size) / 2.0;
        page.set_fill_gray(if line.muted { 0.35 } else { 0.0 });
        page.begin_text();
        page.set_font(line.font.resource(), line.size);
        page.next_line(x, PAGE_HEIGHT - line.baseline);
        page.show(Str(&encode_cp1252(&line.text)));
        page.end_text();
    }
    // In module units from the code's top left corner, y pointing down, as in the SVG.
    page.set_fill_gray(0.0);
    page.save_state();
    page.transform([layout.module, 0.0, 0.0, -layout.module, layout.qr_left, PAGE_HEIGHT - layout.qr_top]);
    for (x, y, length) in poster.qr.dark_runs() {
        page.rect(x as f32, y as f32, length as f32, 1.0);
    }
    page.fill_nonzero();
    page.restore_state();
    page.finish().into_vec()
}

/// A coordinate for SVG: at most three decimals, without trailing zeros.
fn number(value: f32) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text for an XML element: control characters as spaces (XML 1.0 forbids most), markup escaped.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str) -> SiteRow {
        SiteRow {
            id: "site_abc".into(),
            name: name.into(),
            country: omnicanal_domain::catalog::Country::Chile,
            currency: omnicanal_domain::Currency::Clp,
            timezone: "America/Santiago".into(),
            accept_within_minutes: None,
            unaccepted_policy: Default::default(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn urls_are_percent_encoded() {
        let table = TableLabel::parse("Ñ1").ok();
        assert_eq!(order_url("https://food.example.cl", "site_abc", None), "https://food.example.cl/s/site_abc");
        assert_eq!(
            order_url("https://food.example.cl", "site_abc", table.as_ref()),
            "https://food.example.cl/s/site_abc?table=%C3%911"
        );
    }

    #[test]
    fn the_code_has_its_quiet_zone() -> Result<(), ApiError> {
        let qr = QrModules::encode("https://food.example.cl/s/site_abc?table=12")?;
        let width = qr.width();
        for i in 0..width {
            for edge in 0..QUIET_ZONE_MODULES {
                assert!(!qr.is_dark(i, edge) && !qr.is_dark(edge, i) && !qr.is_dark(i, width - 1 - edge));
            }
        }
        // The top-left finder pattern starts right after the quiet zone.
        assert!(qr.is_dark(QUIET_ZONE_MODULES, QUIET_ZONE_MODULES));
        let dark: usize = qr.dark_runs().iter().map(|(_, _, length)| length).sum();
        assert_eq!(dark, qr.dark.iter().filter(|dark| **dark).count());
        Ok(())
    }

    #[test]
    fn a_long_name_takes_two_lines_and_everything_fits_the_page() -> Result<(), ApiError> {
        let name = "Centro Comercial Gran Avenida Plaza Oriente de la Comuna de Ñuñoa y sus alrededores";
        let poster = Poster::new("https://food.example.cl", &site(name), TableLabel::parse("WWWWWWWWWWWW").ok())?;
        let layout = layout(&poster);
        let bold_30 = layout.lines.iter().filter(|line| line.size == 30.0).count();
        assert_eq!(bold_30, 2, "{layout:?}");
        for line in &layout.lines {
            assert!(line.font.width(&line.text, line.size) <= TEXT_WIDTH + 0.01, "{line:?}");
            assert!(line.baseline < PAGE_HEIGHT - 40.0, "{line:?}");
        }
        Ok(())
    }

    #[test]
    fn svg_text_is_escaped() -> Result<(), ApiError> {
        let poster = Poster::new("https://food.example.cl", &site("Fish & <Chips>"), None)?;
        let svg = render_svg(&poster);
        assert!(svg.contains("Fish &amp; &lt;Chips&gt;") && !svg.contains("<Chips>"));
        Ok(())
    }
}
