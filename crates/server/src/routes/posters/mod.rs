//! QR posters: printable codes that take a customer's phone to a site's ordering page,
//! `<public URL>/s/{site}`, or to one table's, `/s/{site}?table=12`. One poster as SVG, or an A4
//! PDF with the site's poster and then one per table.
//!
//! Who may print is the app's to decide (`App::poster_site`): admins and support agents for any
//! site, a merchant manager for a site where their merchant has a location; another manager gets
//! 404, staff 403. What the query asks for is read in this module, which tables in [`tables`],
//! and the drawing is [`render`]'s.

pub mod render;
pub mod tables;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use omnicanal_store::SiteRow;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub use render::{Poster, QUIET_ZONE_MODULES, QrModules, order_url, render_pdf, render_svg};
pub use tables::{MAX_LABEL_CHARS, MAX_TABLE_NUMBER, MAX_TABLES, TableLabel, parse_tables};

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(site_posters))
}

/// `?format=&table=&tables=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PosterQuery {
    /// `svg` (default): one poster; `pdf`: an A4 page per poster.
    #[param(schema_with = crate::views::words::poster_format)]
    pub format: Option<String>,
    /// With `svg`: the table whose poster to draw, a label of letters and digits such as `12`
    /// or `A1`; without it, the site's poster.
    #[param(pattern = "^[A-Za-z0-9]{1,12}$")]
    pub table: Option<String>,
    /// With `pdf`: the tables whose posters follow the site's, as a range `1-20`, a list
    /// `1,2,5`, labels `A1,A2`, or a mix; at most 200 (a table named twice is printed once).
    /// The pattern states the plain list of labels; ranges are accepted besides it.
    #[param(pattern = "^[A-Za-z0-9]{1,12}(,[A-Za-z0-9]{1,12}){0,99}$")]
    pub tables: Option<String>,
}

/// Printable QR posters of a site (SVG: one poster; PDF: the site's, then one per table), each
/// with the code, the site's name, "Escanea para pedir" or "Mesa 12", and the URL. For admins,
/// support agents, and managers of a merchant with a location at the site (others: 404).
#[utoipa::path(get, path = "/sites/{id}/posters", tag = "setup",
    params(("id" = String, Path, description = "Site id"), PosterQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "One poster as SVG, or an A4 PDF with a page per poster",
            content((String = "image/svg+xml"), (String = "application/pdf"))),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn site_posters(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PosterQuery>,
) -> ApiResult<Response> {
    // Who may print is settled before the query is read, so another merchant's manager learns
    // nothing from a bad query.
    let site = state.app.poster_site(&user, &id).await?;
    let response = match PosterRequest::parse(&query)? {
        PosterRequest::Svg(table) => {
            let poster = Poster::new(&state.public_url, &site, table)?;
            let stem = file_stem(&site, poster.table.as_ref());
            respond(render_svg(&poster).into_bytes(), "image/svg+xml", &format!("{stem}.svg"))
        }
        PosterRequest::Pdf(tables) => {
            let posters = std::iter::once(None)
                .chain(tables.into_iter().map(Some))
                .map(|table| Poster::new(&state.public_url, &site, table))
                .collect::<ApiResult<Vec<_>>>()?;
            respond(render_pdf(&posters), "application/pdf", &format!("{}.pdf", file_stem(&site, None)))
        }
    };
    Ok(response)
}

/// What the query asks for, validated.
#[derive(Debug, PartialEq, Eq)]
enum PosterRequest {
    /// One SVG poster: the site's, or a table's.
    Svg(Option<TableLabel>),
    /// A PDF: the site's poster, then these tables'.
    Pdf(Vec<TableLabel>),
}

impl PosterRequest {
    fn parse(query: &PosterQuery) -> ApiResult<Self> {
        // An empty field, as a form sends it, is the same as none.
        let table = query.table.as_deref().map(str::trim).filter(|table| !table.is_empty());
        let tables = query.tables.as_deref().map(str::trim).filter(|tables| !tables.is_empty());
        match query.format.as_deref().map(str::trim).unwrap_or("svg") {
            "svg" | "" => {
                if tables.is_some() {
                    return Err(ApiError::invalid("tables", "tables= is for format=pdf; an SVG poster takes table="));
                }
                let table =
                    table.map(TableLabel::parse).transpose().map_err(|error| ApiError::invalid("table", error))?;
                Ok(PosterRequest::Svg(table))
            }
            "pdf" => {
                if table.is_some() {
                    return Err(ApiError::invalid("table", "table= is for format=svg; a PDF takes tables=, e.g. 1-20"));
                }
                let tables =
                    tables.map(parse_tables).transpose().map_err(|error| ApiError::invalid("tables", error))?;
                Ok(PosterRequest::Pdf(tables.unwrap_or_default()))
            }
            _ => Err(ApiError::invalid("format", "must be svg or pdf")),
        }
    }
}

/// A PDF attachment's or SVG's file name: `qr-{site}` and `-mesa-{table}`, in ASCII.
fn file_stem(site: &SiteRow, table: Option<&TableLabel>) -> String {
    let ascii = |text: &str| -> String {
        text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect()
    };
    match table {
        Some(table) => format!("qr-{}-mesa-{}", ascii(&site.id), ascii(table.as_str())),
        None => format!("qr-{}", ascii(&site.id)),
    }
}

fn respond(body: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_picks_one_format() {
        let query = |format: Option<&str>, table: Option<&str>, tables: Option<&str>| PosterQuery {
            format: format.map(str::to_owned),
            table: table.map(str::to_owned),
            tables: tables.map(str::to_owned),
        };
        let twelve = TableLabel::parse("12").expect("a label");
        assert_eq!(PosterRequest::parse(&query(None, None, None)).ok(), Some(PosterRequest::Svg(None)));
        assert_eq!(
            PosterRequest::parse(&query(Some("svg"), Some("12"), None)).ok(),
            Some(PosterRequest::Svg(Some(twelve)))
        );
        assert_eq!(PosterRequest::parse(&query(Some("pdf"), Some(""), None)).ok(), Some(PosterRequest::Pdf(vec![])));
        assert!(PosterRequest::parse(&query(Some("png"), None, None)).is_err());
        assert!(PosterRequest::parse(&query(Some("svg"), None, Some("1-2"))).is_err());
        assert!(PosterRequest::parse(&query(Some("pdf"), Some("1"), None)).is_err());
    }
}
