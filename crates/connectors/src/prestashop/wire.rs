//! Reading the Webservice's XML (<https://devdocs.prestashop-project.org/8/webservice/>): every
//! answer is `<prestashop>` around one resource (`<product>`) or a list (`<products>` of
//! `<product>`), values in CDATA, multilingual fields as `<name><language id="1">…`, linked
//! resources under `<associations>`. Anything else is the shop's garbage, never a panic.

use omnicanal_app::connections::client::{ShopFailure, ShopResult};
use roxmltree::{Document, Node};

/// An element's simple fields, `name` → text, in the order the shop wrote them.
pub(super) type FieldList = Vec<(String, String)>;

/// One resource's simple fields in the order the shop wrote them (`name` → text; a
/// multilingual field's first language), and the ids of its associations.
#[derive(Debug, Clone, Default)]
pub(super) struct Resource {
    pub fields: FieldList,
    /// `associations` → each association's entries, each with its own fields.
    pub associations: Vec<(String, Vec<FieldList>)>,
}

impl Resource {
    /// The field's text, empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(field, _)| field == name).map_or("", |(_, value)| value.as_str())
    }

    /// The entries of one association (`combinations`, `order_rows`).
    pub fn association(&self, name: &str) -> &[FieldList] {
        self.associations.iter().find(|(association, _)| association == name).map_or(&[], |(_, rows)| rows.as_slice())
    }
}

/// A field of an association's entry, empty when absent.
pub(super) fn entry<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    row.iter().find(|(field, _)| field == name).map_or("", |(_, value)| value.as_str())
}

fn garbage(why: impl std::fmt::Display) -> ShopFailure {
    ShopFailure::Garbage(format!("PrestaShop's answer is not its XML: {why}"))
}

/// The resources of a list answer (`<prestashop><products><product>…`).
pub(super) fn list(xml: &str, plural: &str) -> ShopResult<Vec<Resource>> {
    let document = Document::parse(xml).map_err(garbage)?;
    let root = prestashop_root(&document)?;
    // An empty list may come as `<products/>` or, in JSON-minded versions, nothing at all.
    let Some(container) = child(root, plural) else {
        return Err(garbage(format!("no <{plural}> in the answer")));
    };
    Ok(container.children().filter(Node::is_element).map(read_resource).collect())
}

/// The one resource of an answer (`<prestashop><product>…`).
pub(super) fn one(xml: &str, singular: &str) -> ShopResult<Resource> {
    let document = Document::parse(xml).map_err(garbage)?;
    let root = prestashop_root(&document)?;
    child(root, singular).map(read_resource).ok_or_else(|| garbage(format!("no <{singular}> in the answer")))
}

/// The first `<error><message>` of an error answer, when it is the Webservice's XML.
pub(super) fn error_message(xml: &str) -> Option<String> {
    let document = Document::parse(xml).ok()?;
    let message = document.descendants().find(|node| node.has_tag_name("message"))?;
    Some(text_of(message))
}

fn prestashop_root<'a, 'input>(document: &'a Document<'input>) -> ShopResult<Node<'a, 'input>> {
    let root = document.root_element();
    if root.tag_name().name() == "prestashop" {
        Ok(root)
    } else {
        Err(garbage(format!("the root is <{}>, not <prestashop>", root.tag_name().name())))
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|candidate| candidate.is_element() && candidate.tag_name().name() == name)
}

/// The text of an element (its CDATA included), or of its first `<language>`.
fn text_of(node: Node<'_, '_>) -> String {
    let source = child(node, "language").unwrap_or(node);
    let text: String = source.children().filter(Node::is_text).filter_map(|text| text.text()).collect();
    text.trim().to_owned()
}

fn simple_fields(node: Node<'_, '_>) -> FieldList {
    node.children()
        .filter(|field| field.is_element() && field.tag_name().name() != "associations")
        .map(|field| (field.tag_name().name().to_owned(), text_of(field)))
        .collect()
}

fn read_resource(node: Node<'_, '_>) -> Resource {
    let mut fields = simple_fields(node);
    // A bare list names ids as attributes: `<product id="1" xlink:href=…/>`.
    if let Some(id) = node.attribute("id")
        && !fields.iter().any(|(name, _)| name == "id")
    {
        fields.push(("id".into(), id.to_owned()));
    }
    let associations = child(node, "associations")
        .map(|associations| {
            associations
                .children()
                .filter(Node::is_element)
                .map(|association| {
                    let rows = association.children().filter(Node::is_element).map(simple_fields).collect();
                    (association.tag_name().name().to_owned(), rows)
                })
                .collect()
        })
        .unwrap_or_default();
    Resource { fields, associations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_product_shape() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
<products>
<product>
	<id><![CDATA[1]]></id>
	<reference><![CDATA[demo_1]]></reference>
	<price><![CDATA[23.900000]]></price>
	<name><language id="1" xlink:href="http://x/api/languages/1"><![CDATA[Hummingbird]]></language></name>
	<associations>
	<combinations nodeType="combination" api="combinations">
	<combination xlink:href="http://x/api/combinations/1"><id><![CDATA[1]]></id></combination>
	</combinations>
	</associations>
</product>
</products>
</prestashop>"#;
        let products = list(xml, "products").unwrap();
        assert_eq!(products.len(), 1);
        assert_eq!(products[0].get("reference"), "demo_1");
        assert_eq!(products[0].get("name"), "Hummingbird");
        assert_eq!(entry(&products[0].association("combinations")[0], "id"), "1");
        assert!(matches!(list("<html>", "products"), Err(ShopFailure::Garbage(_))));
        assert!(matches!(list("<html></html>", "products"), Err(ShopFailure::Garbage(_))));
    }
}
