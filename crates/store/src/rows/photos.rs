//! Product photos (issue 15 point 2): a product's one photo and its resized renditions, stored
//! in the database so every node of the binary sharing one PostgreSQL serves the same bytes.

/// A product's photo: who put it there and how big the upload was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPhotoRow {
    /// The product (one photo each).
    pub product_id: String,
    /// Its merchant, kept here so a read needs no join to check who may see it.
    pub merchant_id: String,
    /// The user who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at_ms: i64,
    /// The upload's width in pixels.
    pub source_width: i64,
    /// The upload's height in pixels.
    pub source_height: i64,
}

/// One resized rendition of a photo, with its encoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRenditionRow {
    /// The product.
    pub product_id: String,
    /// Which size (`thumb`, `card`, `large`).
    pub size: String,
    /// Hex SHA-256 of `bytes`: the ETag and part of the served path.
    pub hash: String,
    /// `image/jpeg` (or another image type the encoder produced).
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

/// A rendition without its bytes: what a page needs to link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRenditionInfo {
    /// Which size.
    pub size: String,
    /// Hex SHA-256 of the bytes.
    pub hash: String,
    /// Its media type.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Length of the bytes.
    pub byte_len: i64,
}
