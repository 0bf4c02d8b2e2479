//! Reads the import form's `multipart/form-data` body with axum's `Multipart` (the `multer`
//! parser the photo upload uses too) into its few fields: the CSRF token, the kind, the location
//! and the file. The route's body limit bounds the whole; a body that is not a well-formed form
//! is `None`, which the page tells as "the form did not arrive whole".

use axum::extract::multipart::{Multipart, MultipartRejection};

/// One part of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The field's name.
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Every part of the form, in order; `None` when the body is not a readable multipart form.
pub(crate) async fn parts(multipart: Result<Multipart, MultipartRejection>) -> Option<Vec<Part>> {
    let mut multipart = multipart.ok()?;
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.ok()?.to_vec();
        parts.push(Part { name, data });
    }
    Some(parts)
}
