//! The pixel work behind product photos: recognising an upload from its first bytes (never from
//! its name or declared type), decoding it within bounds, and making the renditions the pages
//! show. Pure and synchronous — the use case runs it on a blocking thread, since resizing a
//! large photo takes a CPU for a while.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::AppError;
use crate::ids::sha256_hex;

/// The form field (and problem field) that carries the photo.
pub const PHOTO_FIELD: &str = "photo";
/// Largest upload taken, in bytes (5 MiB: a phone's full-size JPEG fits).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Longest side taken, in pixels: beyond it an upload is a mistake or an attack on memory.
pub const MAX_PHOTO_SIDE_PX: u32 = 10_000;
/// Most pixels taken (40 megapixels bounds the decoded buffer to 160 MB).
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;
/// Shortest side taken, in pixels: smaller is no photo to show.
pub const MIN_PHOTO_SIDE_PX: u32 = 16;
/// Longest side over shortest side: a 1×40 strip is no product photo.
pub const MAX_PHOTO_ASPECT: u32 = 10;
/// JPEG quality of the renditions: small files, no visible blocks at menu sizes.
const JPEG_QUALITY: u8 = 82;

/// The sizes the pages show, each bounded on its longest side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    /// The console's lists and the till's buttons (160 px).
    Thumb,
    /// The menu's product cards (480 px).
    Card,
    /// A product opened on its own (1200 px).
    Large,
}

impl PhotoSize {
    /// Every size, smallest first.
    pub const ALL: [PhotoSize; 3] = [PhotoSize::Thumb, PhotoSize::Card, PhotoSize::Large];

    /// Its word in paths and rows.
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoSize::Thumb => "thumb",
            PhotoSize::Card => "card",
            PhotoSize::Large => "large",
        }
    }

    /// The size named `word`, if any.
    pub fn parse(word: &str) -> Option<PhotoSize> {
        PhotoSize::ALL.into_iter().find(|size| size.as_str() == word)
    }

    /// Its longest side, in pixels.
    pub fn max_side_px(self) -> u32 {
        match self {
            PhotoSize::Thumb => 160,
            PhotoSize::Card => 480,
            PhotoSize::Large => 1200,
        }
    }
}

/// One rendition made from an upload.
#[derive(Debug, Clone)]
pub struct Rendition {
    /// Which size.
    pub size: PhotoSize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of `bytes`.
    pub hash: String,
    /// The media type of `bytes`.
    pub content_type: &'static str,
}

/// What an upload became: its own dimensions and the renditions.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The upload's width (after its EXIF orientation).
    pub width: u32,
    /// The upload's height.
    pub height: u32,
    /// One per [`PhotoSize`], smallest first.
    pub renditions: Vec<Rendition>,
}

/// The format an upload's first bytes announce, when it is one we take.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(ImageFormat::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Checks an upload before any decoding: present, within the size limit, and a JPEG, PNG or
/// WebP by its bytes. Returns the format to decode it as.
pub fn check_upload(bytes: &[u8]) -> Result<ImageFormat, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid(PHOTO_FIELD, "choose an image file to upload"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(too_large());
    }
    sniff(bytes).ok_or_else(|| AppError::UnsupportedMedia {
        field: PHOTO_FIELD,
        message: "the file is not a JPEG, PNG or WebP image".to_owned(),
    })
}

/// The refusal of an upload over [`MAX_PHOTO_BYTES`].
pub fn too_large() -> AppError {
    AppError::TooLarge {
        field: PHOTO_FIELD,
        message: format!("the photo is larger than {} MB; send a smaller one", MAX_PHOTO_BYTES / (1024 * 1024)),
    }
}

fn undecodable() -> AppError {
    AppError::invalid(PHOTO_FIELD, "the image could not be read; it may be damaged")
}

/// Whether a `width`×`height` photo is one we take; the refusal says why not.
fn check_dimensions(width: u32, height: u32) -> Result<(), AppError> {
    let (long, short) = (width.max(height), width.min(height));
    let message = if long > MAX_PHOTO_SIDE_PX || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        format!("the image is {width}×{height} pixels; at most {MAX_PHOTO_SIDE_PX} pixels a side and 40 megapixels")
    } else if short < MIN_PHOTO_SIDE_PX {
        format!("the image is {width}×{height} pixels; at least {MIN_PHOTO_SIDE_PX} pixels a side")
    } else if long > short.saturating_mul(MAX_PHOTO_ASPECT) {
        format!("the image is {width}×{height} pixels; one side may be at most {MAX_PHOTO_ASPECT} times the other")
    } else {
        return Ok(());
    };
    Err(AppError::invalid(PHOTO_FIELD, message))
}

/// Decodes an upload already checked by [`check_upload`], upright, within the dimension bounds.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, AppError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE_PX);
    limits.max_image_height = Some(MAX_PHOTO_SIDE_PX);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| undecodable())?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| undecodable())?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// The photo on white, without alpha: JPEG has no transparency, and a transparent PNG would
/// otherwise turn black where it was clear.
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// The dimensions of `size` for a `width`×`height` photo: the aspect kept, never upscaled.
pub fn fitted(width: u32, height: u32, size: PhotoSize) -> (u32, u32) {
    let bound = size.max_side_px();
    let long = width.max(height);
    if long <= bound {
        return (width, height);
    }
    let scale =
        |side: u32| ((u64::from(side) * u64::from(bound) + u64::from(long) / 2) / u64::from(long)).max(1) as u32;
    (scale(width), scale(height))
}

/// Decodes an upload and makes every rendition (JPEG). Refuses an undecodable image or absurd
/// dimensions at the `photo` field.
pub fn render(bytes: &[u8], format: ImageFormat) -> Result<Rendered, AppError> {
    let image = decode(bytes, format)?;
    let (width, height) = (image.width(), image.height());
    let upright = DynamicImage::ImageRgb8(flatten(&image));
    drop(image);
    let mut renditions = Vec::with_capacity(PhotoSize::ALL.len());
    // Each size is made from the next larger one: the same look, a fraction of the work.
    let mut source = upright;
    for size in PhotoSize::ALL.into_iter().rev() {
        let (w, h) = fitted(width, height, size);
        let resized = if (w, h) == (source.width(), source.height()) {
            source
        } else {
            source.resize_exact(w, h, FilterType::CatmullRom)
        };
        let mut encoded = Vec::new();
        JpegEncoder::new_with_quality(&mut encoded, JPEG_QUALITY)
            .encode_image(&resized)
            .map_err(|error| AppError::Internal(Box::new(error)))?;
        renditions.push(Rendition {
            size,
            width: w,
            height: h,
            hash: sha256_hex(&encoded),
            bytes: encoded,
            content_type: "image/jpeg",
        });
        source = resized;
    }
    renditions.reverse();
    Ok(Rendered { width, height, renditions })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 128]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(image).write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn uploads_are_recognised_by_their_bytes() {
        assert_eq!(sniff(&png(20, 20)), Some(ImageFormat::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"hello, I am a .jpg"), None);
        assert!(matches!(check_upload(b"GIF89a"), Err(AppError::UnsupportedMedia { .. })));
        assert!(matches!(check_upload(&[]), Err(AppError::Invalid(_))));
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert!(matches!(check_upload(&big), Err(AppError::TooLarge { .. })));
    }

    #[test]
    fn renditions_keep_the_aspect_and_never_upscale() {
        assert_eq!(fitted(2400, 1600, PhotoSize::Large), (1200, 800));
        assert_eq!(fitted(2400, 1600, PhotoSize::Card), (480, 320));
        assert_eq!(fitted(1600, 2400, PhotoSize::Thumb), (107, 160));
        assert_eq!(fitted(300, 200, PhotoSize::Large), (300, 200));
        assert_eq!(fitted(300, 200, PhotoSize::Thumb), (160, 107));
    }

    #[test]
    fn a_transparent_png_becomes_jpeg_renditions() {
        let rendered = render(&png(600, 300), ImageFormat::Png).expect("renders");
        assert_eq!((rendered.width, rendered.height), (600, 300));
        let sizes: Vec<_> = rendered.renditions.iter().map(|r| (r.size, r.width, r.height)).collect();
        assert_eq!(sizes, [(PhotoSize::Thumb, 160, 80), (PhotoSize::Card, 480, 240), (PhotoSize::Large, 600, 300)]);
        assert!(rendered.renditions.iter().all(|r| sniff(&r.bytes) == Some(ImageFormat::Jpeg)));
    }

    #[test]
    fn absurd_or_broken_images_are_refused_at_the_field() {
        assert!(matches!(render(&png(8, 8), ImageFormat::Png), Err(AppError::Invalid(_))));
        assert!(matches!(render(&png(400, 20), ImageFormat::Png), Err(AppError::Invalid(_))));
        let mut broken = png(100, 100);
        broken.truncate(60);
        assert!(matches!(render(&broken, ImageFormat::Png), Err(AppError::Invalid(_))));
    }
}
