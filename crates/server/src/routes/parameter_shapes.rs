//! The shapes of the path and query parameters that recur across areas, set in one pass.
//!
//! A `{sku}` or `?channel=` is checked by the same parser wherever it appears, so its schema is
//! the same too: rather than repeat it on every `#[utoipa::path]` (whose tuple form of a
//! parameter takes no pattern), the document's parameters are given it here by name.

use utoipa::Modify;
use utoipa::openapi::schema::{Object, Schema};
use utoipa::openapi::{OpenApi, RefOr};

use crate::views::words;

/// Sets the schema of every `sku` and `channel` parameter; see the module documentation.
pub struct ParameterShapes;

fn shape_of(name: &str) -> Option<Object> {
    match name {
        "sku" => Some(words::sku()),
        "channel" => Some(words::channel()),
        _ => None,
    }
}

impl Modify for ParameterShapes {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(shape) = shape_of(&parameter.name) {
                        parameter.schema = Some(RefOr::T(Schema::Object(shape)));
                    }
                }
            }
        }
    }
}
