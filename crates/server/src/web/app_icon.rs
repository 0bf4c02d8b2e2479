//! The customer app's home-screen icon, drawn by the server: a white bowl on the brand green.
//!
//! As SVG for the web app manifest (any size), and as PNG for what needs a bitmap — iOS's
//! `apple-touch-icon` ignores SVG, and Android's install prompt wants 192 and 512 px icons.
//! The PNG is a two-colour palette image (one bit per pixel) in stored (uncompressed) deflate
//! blocks: a few kilobytes, no image crate, and the same shape as the SVG.

/// The brand colour (also the pages' `theme-color`).
pub const BRAND: &str = "#0f5132";
const BRAND_RGB: [u8; 3] = [0x0f, 0x51, 0x32];
const WHITE_RGB: [u8; 3] = [0xff, 0xff, 0xff];
/// Icon sizes served as PNG (`/static/icon-<size>.png`): iOS home screen, Android, splash.
pub const PNG_SIZES: [u32; 3] = [180, 192, 512];

/// The icon as SVG, on a 100×100 grid: the bowl sits inside the central 60 % (the "safe zone"
/// that maskable icons keep when Android crops them to a circle).
pub fn svg() -> String {
    format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="512" height="512">"##,
            r##"<rect width="100" height="100" fill="{brand}"/>"##,
            r##"<rect x="24" y="44" width="52" height="5" rx="1" fill="#fff"/>"##,
            r##"<path d="M27 51 H73 A23 23 0 0 1 27 51 Z" fill="#fff"/>"##,
            r##"<rect x="41" y="71" width="18" height="5" rx="1" fill="#fff"/>"##,
            r##"<rect x="38" y="28" width="4" height="12" rx="2" fill="#fff"/>"##,
            r##"<rect x="48" y="24" width="4" height="16" rx="2" fill="#fff"/>"##,
            r##"<rect x="58" y="28" width="4" height="12" rx="2" fill="#fff"/>"##,
            "</svg>"
        ),
        brand = BRAND
    )
}

/// Whether the point (x, y) of the 100×100 grid is white: the same shapes as [`svg`].
fn white_at(x: f64, y: f64) -> bool {
    let in_rect =
        |left: f64, top: f64, width: f64, height: f64| x >= left && x < left + width && y >= top && y < top + height;
    let rim = in_rect(24.0, 44.0, 52.0, 5.0);
    // The bowl: the lower half of a disc of radius 23 centred at (50, 51).
    let bowl = y >= 51.0 && (x - 50.0).powi(2) + (y - 51.0).powi(2) <= 23.0 * 23.0;
    let foot = in_rect(41.0, 71.0, 18.0, 5.0);
    let steam = in_rect(38.0, 28.0, 4.0, 12.0) || in_rect(48.0, 24.0, 4.0, 16.0) || in_rect(58.0, 28.0, 4.0, 12.0);
    rim || bowl || foot || steam
}

/// The icon as a `size`×`size` PNG.
pub fn png(size: u32) -> Vec<u8> {
    let size = size.clamp(16, 1024);
    let row_bytes = size.div_ceil(8) as usize;
    // Each scanline: filter type 0, then one bit per pixel, most significant bit first.
    let mut raw = Vec::with_capacity((row_bytes + 1) * size as usize);
    let scale = 100.0 / f64::from(size);
    for row in 0..size {
        raw.push(0);
        let mut line = vec![0u8; row_bytes];
        for column in 0..size {
            let (x, y) = ((f64::from(column) + 0.5) * scale, (f64::from(row) + 0.5) * scale);
            if white_at(x, y) {
                line[column as usize / 8] |= 0x80 >> (column % 8);
            }
        }
        raw.extend_from_slice(&line);
    }
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&[1, 3, 0, 0, 0]); // bit depth 1, palette, deflate, filter 0, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"PLTE", &[BRAND_RGB, WHITE_RGB].concat());
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored deflate blocks (RFC 1950/1951): valid, just not compressed.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    const MAX_BLOCK: usize = 65_535;
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(MAX_BLOCK).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let length = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&(!length).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_their_published_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn the_png_is_well_formed_and_sized() {
        for size in PNG_SIZES {
            let png = png(size);
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
            assert_eq!(&png[12..16], b"IHDR");
            assert_eq!(u32::from_be_bytes([png[16], png[17], png[18], png[19]]), size);
            assert!(png.ends_with(&[0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]), "IEND with its CRC");
            assert!(png.len() < 40_000, "{size}: {} bytes", png.len());
        }
        // The glyph is there: some pixels are white, most are green.
        let white = (0..100).flat_map(|y| (0..100).map(move |x| (x, y))).filter(|&(x, y)| white_at(x.into(), y.into()));
        let count = white.count();
        assert!(count > 1_000 && count < 4_000, "{count}");
        assert!(svg().starts_with("<svg") && svg().contains(BRAND));
    }
}
